#![allow(dead_code)]
//! Real `redis-server` and `nats-server` processes for the backend tests:
//! each on a free 127.0.0.1 port with its own temporary data directory,
//! killed (and the directory removed) when dropped. `make deps` installs
//! both from Debian's packages.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a started server may take to accept connections.
const READY_WITHIN: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Redis,
    Nats,
}

/// A server process this test owns.
pub struct TestServer {
    kind: Kind,
    port: u16,
    dir: PathBuf,
    auth: Option<(String, String)>,
    child: Option<Child>,
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("net-{tag}-{}-{:016x}", std::process::id(), rand_u64()));
    std::fs::create_dir_all(&d).expect("create the server's data dir");
    d
}

fn rand_u64() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    h.finish()
}

impl TestServer {
    /// A Redis server with an append-only file (so a killed and restarted
    /// server keeps what it acknowledged).
    pub fn redis() -> Self {
        Self::start(Kind::Redis, None)
    }

    /// A Redis server requiring `password` (user `default`).
    pub fn redis_with_password(password: &str) -> Self {
        Self::start(Kind::Redis, Some(("default".into(), password.into())))
    }

    /// A NATS server with JetStream enabled.
    pub fn nats() -> Self {
        Self::start(Kind::Nats, None)
    }

    /// A NATS server with JetStream requiring `user` / `password`.
    pub fn nats_with_user(user: &str, password: &str) -> Self {
        Self::start(Kind::Nats, Some((user.into(), password.into())))
    }

    fn start(kind: Kind, auth: Option<(String, String)>) -> Self {
        let tag = match kind {
            Kind::Redis => "redis",
            Kind::Nats => "nats",
        };
        let mut s = Self { kind, port: free_port(), dir: temp_dir(tag), auth, child: None };
        s.spawn();
        s
    }

    /// `redis://127.0.0.1:<port>` or `nats://127.0.0.1:<port>` (no credentials).
    pub fn url(&self) -> String {
        match self.kind {
            Kind::Redis => format!("redis://127.0.0.1:{}", self.port),
            Kind::Nats => format!("nats://127.0.0.1:{}", self.port),
        }
    }

    /// The URL with this server's credentials in it.
    pub fn url_with_auth(&self) -> String {
        let (user, pass) = self.auth.as_ref().expect("a server started with credentials");
        match self.kind {
            Kind::Redis => format!("redis://:{pass}@127.0.0.1:{}", self.port),
            Kind::Nats => format!("nats://{user}:{pass}@127.0.0.1:{}", self.port),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    fn spawn(&mut self) {
        let dir = self.dir.to_str().expect("utf-8 temp dir").to_string();
        let port = self.port.to_string();
        let (program, mut args): (&str, Vec<String>) = match self.kind {
            // `always`: the kill tests SIGKILL the server, and under
            // `everysec` a slow fsync (a loaded machine) lets Redis answer
            // writes it has not yet written, which the kill then loses.
            Kind::Redis => (
                "redis-server",
                [
                    "--port", &port, "--bind", "127.0.0.1", "--dir", &dir, "--appendonly", "yes", "--appendfsync",
                    "always", "--save", "", "--daemonize", "no", "--protected-mode", "no", "--logfile",
                    &format!("{dir}/redis.log"),
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            ),
            Kind::Nats => (
                "nats-server",
                ["-a", "127.0.0.1", "-p", &port, "-js", "-sd", &format!("{dir}/js"), "-l", &format!("{dir}/nats.log")]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            ),
        };
        if let Some((user, pass)) = &self.auth {
            match self.kind {
                Kind::Redis => args.extend(["--requirepass".to_string(), pass.clone()]),
                Kind::Nats => args.extend(["--user".to_string(), user.clone(), "--pass".to_string(), pass.clone()]),
            }
        }
        let child = Command::new(program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program} ({e}): `make deps` installs it (apt-get install {program})"));
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("{:?} server exited at start ({status}); log in {}", self.kind, self.dir.display());
            }
            if self.answers() {
                return;
            }
            assert!(started.elapsed() < READY_WITHIN, "{:?} server on port {} not ready; log in {}", self.kind, self.port, self.dir.display());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the server answers its protocol's greeting.
    fn answers(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else { return false };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        let mut line = String::new();
        match self.kind {
            Kind::Redis => {
                if s.write_all(b"PING\r\n").is_err() {
                    return false;
                }
                let _ = BufReader::new(&s).read_line(&mut line);
                // Without credentials a password-protected server answers NOAUTH: up all the same.
                line.starts_with("+PONG") || line.starts_with("-NOAUTH")
            }
            Kind::Nats => {
                let _ = BufReader::new(&s).read_line(&mut line);
                line.starts_with("INFO")
            }
        }
    }

    /// SIGKILL the server (no shutdown work: what it acknowledged must
    /// already be in its files).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start it again on the same port with the same data directory.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh temporary directory removed on drop (for nonce files).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        Self(temp_dir(tag))
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
