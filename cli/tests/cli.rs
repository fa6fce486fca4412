//! The `net` binary as a user runs it: real processes, real sockets on
//! loopback. Waiting processes announce their address as the first JSON
//! line, so nothing here sleeps or times anything; a process that fails
//! exits (every waiting command has a --timeout), which ends the read.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use assert_cmd::assert::OutputAssertExt;
use serde_json::Value;

const PSK: &str = "4242424242424242424242424242424242424242424242424242424242424242";

fn net() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("net"))
}

/// Run to completion; (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let o = net().args(args).output().expect("net runs");
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into(), String::from_utf8_lossy(&o.stderr).into())
}

fn ok_json(args: &[&str]) -> Value {
    let assert = net().args(args).assert().success();
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    serde_json::from_str(out.lines().last().expect("a line")).expect("JSON")
}

struct Ident {
    path: PathBuf,
    node: String,
    key: String,
    entity: String,
}

fn identity(dir: &Path, name: &str) -> Ident {
    let path = dir.join(name);
    let v = ok_json(&["--json", "identity", "new", "--out", path.to_str().unwrap()]);
    Ident {
        path,
        node: v["node_id"].as_str().unwrap().into(),
        key: v["mesh_key"].as_str().unwrap().into(),
        entity: v["entity_id"].as_str().unwrap().into(),
    }
}

/// A background `net` process, killed if the test ends early.
struct Running {
    child: Child,
    lines: BufReader<ChildStdout>,
}

impl Running {
    fn start(args: &[String]) -> Running {
        let mut child = net().args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn net");
        let lines = BufReader::new(child.stdout.take().unwrap());
        Running { child, lines }
    }

    /// The next stdout line as JSON; panics with stderr if the process ended.
    fn next(&mut self) -> Value {
        let mut line = String::new();
        if self.lines.read_line(&mut line).expect("read stdout") == 0 {
            let mut err = String::new();
            self.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            panic!("the process ended early: {err}");
        }
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child's pid.
        assert_eq!(unsafe { libc::kill(self.child.id() as i32, sig) }, 0);
    }

    /// Wait for exit: (code, rest of stdout as JSON lines, stderr).
    fn finish(mut self) -> (i32, Vec<Value>, String) {
        let status = self.child.wait().unwrap();
        let mut rest = String::new();
        self.lines.read_to_string(&mut rest).unwrap();
        let mut err = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        let values = rest.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        (status.code().unwrap_or(-1), values, err)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Flags that dial `peer` at `addr` as `me`.
fn dial(me: &Ident, peer: &Ident, addr: &str) -> Vec<String> {
    args(&[
        "--identity",
        me.path.to_str().unwrap(),
        "--psk",
        PSK,
        "--bind",
        "127.0.0.1:0",
        "--timeout",
        "20",
        "--connect",
        addr,
        "--peer-key",
        &peer.key,
        "--peer-node",
        &peer.node,
    ])
}

#[test]
fn identity_new_is_private_and_show_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let id = identity(dir.path(), "me.seed");
    let mode = std::fs::metadata(&id.path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the seed file is readable by its owner only");
    let shown = ok_json(&["--json", "identity", "show", "--identity", id.path.to_str().unwrap()]);
    assert_eq!(shown["node_id"], id.node.as_str());
    assert_eq!(shown["mesh_key"], id.key.as_str());
    assert_eq!(shown["entity_id"], id.entity.as_str());
    // No leftovers of the atomic write beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let (code, _, err) = run(&["identity", "new", "--out", id.path.to_str().unwrap()]);
    assert_eq!(code, 2, "an existing seed is not overwritten");
    assert!(err.contains("--out") && err.contains("--force"), "{err}");
    let shown_again = ok_json(&["--json", "identity", "show", "--identity", id.path.to_str().unwrap()]);
    assert_eq!(shown_again["node_id"], id.node.as_str(), "the refused write left the seed alone");

    std::fs::write(dir.path().join("junk.seed"), "not hex\n").unwrap();
    let (code, _, err) = run(&["identity", "show", "--identity", dir.path().join("junk.seed").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--identity") && err.contains("junk.seed"), "{err}");
}

fn issue(dir: &Path) -> (Ident, Ident, String) {
    let issuer = identity(dir, "issuer.seed");
    let subject = identity(dir, "subject.seed");
    let (code, out, err) = run(&[
        "token",
        "issue",
        "--identity",
        issuer.path.to_str().unwrap(),
        "--subject",
        &subject.entity,
        "--scope",
        "publish,subscribe",
        "--channel",
        "sensors/temp",
        "--ttl",
        "600",
    ]);
    assert_eq!(code, 0, "{err}");
    let token = out.trim().to_owned();
    assert_eq!(token.len(), 322, "161 bytes in hex");
    (issuer, subject, token)
}

#[test]
fn token_issued_then_verified_and_inspected() {
    let dir = tempfile::tempdir().unwrap();
    let (issuer, subject, token) = issue(dir.path());
    let v = ok_json(&["--json", "token", "verify", &token]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["token"]["issuer"], issuer.entity.as_str());
    assert_eq!(v["token"]["subject"], subject.entity.as_str());
    assert_eq!(v["token"]["scope"], serde_json::json!(["publish", "subscribe"]));

    let (code, out, err) = run(&["token", "verify", &token, "--channel", "sensors/temp", "--scope", "publish"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("valid: "), "{out}");
    let (code, _, err) = run(&["token", "verify", &token, "--channel", "sensors/humidity", "--scope", "publish"]);
    assert_eq!(code, 1, "a grant for another channel is refused");
    assert!(err.contains("not_authorized"), "{err}");

    // Read from stdin, as in `... | net token inspect -`.
    let mut child = net().args(["token", "inspect", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(token.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains(&format!("issuer:           {}", issuer.entity)), "{text}");
    assert!(text.contains("scope:            publish|subscribe"), "{text}");
    assert!(text.contains("signature:        valid"), "{text}");
}

#[test]
fn tampered_token_is_refused_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, token) = issue(dir.path());
    let mut bytes = hex::decode(&token).unwrap();
    bytes[72] ^= 0x01; // not_before: the body no longer matches the signature
    let tampered = hex::encode(&bytes);
    let (code, _, err) = run(&["token", "verify", &tampered]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("token refused") && err.contains("invalid_signature"), "{err}");
    let (code, _, err) = run(&["--json", "token", "verify", &tampered]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(v["error"], "invalid_signature");

    let (code, out, _) = run(&["token", "inspect", &tampered]);
    assert_eq!(code, 0, "inspect shows a bad token rather than refusing it");
    assert!(out.contains("signature:        INVALID (invalid_signature)"), "{out}");

    let (code, _, err) = run(&["token", "verify", &token[..100]]);
    assert_eq!(code, 2, "a truncated token is bad input");
    assert!(err.contains("TOKEN") && err.contains("161"), "{err}");
}

#[test]
fn mesh_send_and_recv_between_two_processes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (identity(dir.path(), "a.seed"), identity(dir.path(), "b.seed"));
    let mut recv = Running::start(&args(&[
        "--json", "mesh", "recv", "--identity", b.path.to_str().unwrap(), "--psk", PSK, "--bind", "127.0.0.1:0",
        "--timeout", "20", "--accept", &a.node, "--count", "3",
    ]));
    let listening = recv.next();
    assert_eq!(listening["event"], "listening");
    assert_eq!(listening["node_id"], b.node.as_str());
    let addr = listening["addr"].as_str().unwrap().to_owned();

    let mut send = dial(&a, &b, &addr);
    send.splice(0..0, args(&["--json", "mesh", "send"]));
    send.extend(args(&["first", "second", "third — ünïcode"]));
    let o = net().args(&send).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sent: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(sent["messages"], 3);

    let (code, lines, err) = recv.finish();
    assert_eq!(code, 0, "{err}");
    let data: Vec<&str> = lines.iter().map(|l| l["data"].as_str().unwrap()).collect();
    assert_eq!(data, ["first", "second", "third — ünïcode"]);
    assert!(lines.iter().all(|l| l["node_id"] == a.node.as_str()));
}

#[test]
fn mesh_ping_prints_the_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (identity(dir.path(), "a.seed"), identity(dir.path(), "b.seed"));
    let mut listen = Running::start(&args(&[
        "--json", "mesh", "listen", "--identity", b.path.to_str().unwrap(), "--psk", PSK, "--bind", "127.0.0.1:0",
        "--accept", &a.node,
    ]));
    let addr = listen.next()["addr"].as_str().unwrap().to_owned();

    let mut ping = dial(&a, &b, &addr);
    ping.splice(0..0, args(&["--json", "mesh", "ping"]));
    ping.extend(args(&["--count", "2", "--interval", "1"]));
    let o = net().args(&ping).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<Value> = String::from_utf8(o.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let pongs: Vec<&Value> = lines.iter().filter(|l| l["event"] == "pong").collect();
    assert_eq!(pongs.len(), 2);
    for (i, p) in pongs.iter().enumerate() {
        assert_eq!(p["seq"], i);
        assert_eq!(p["node_id"], b.node.as_str());
        assert!(p["rtt_ms"].as_f64().unwrap() > 0.0, "{p}");
    }
    assert_eq!(lines.last().unwrap()["event"], "summary");

    // The human form names the time.
    let mut human = dial(&a, &b, &addr);
    human.splice(0..0, args(&["mesh", "ping"]));
    human.extend(args(&["--count", "1"]));
    let o = net().args(&human).output().unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains(&format!("reply from {}: seq=0 time=", b.node)) && text.contains(" ms"), "{text}");

    listen.signal(libc::SIGINT);
    let (code, lines, err) = listen.finish();
    assert_eq!(code, 0, "an interrupted listener stops cleanly: {err}");
    assert!(lines.iter().any(|l| l["event"] == "connected" && l["node_id"] == a.node.as_str()));
}

/// The value of an un-labelled series in Prometheus text.
fn series(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

fn scrape(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut conn = std::net::TcpStream::connect(host).unwrap();
    write!(conn, "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.to_owned(), body.to_owned())
}

#[test]
fn node_run_serves_the_bus_tail_and_metrics_then_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let node_id = identity(dir.path(), "node.seed");
    let (writer, follower) = (identity(dir.path(), "writer.seed"), identity(dir.path(), "follower.seed"));
    let config = dir.path().join("node.toml");
    std::fs::write(
        &config,
        format!(
            "identity = \"node.seed\"\n[mesh]\nbind = \"127.0.0.1:0\"\npsk = \"{PSK}\"\naccept = [\"{}\", \"{}\"]\n[bus]\nshards = 2\n",
            writer.node, follower.node
        ),
    )
    .unwrap();
    let mut node = Running::start(&args(&["--json", "node", "run", "--config", config.to_str().unwrap(), "--metrics", "127.0.0.1:0"]));
    let addr = node.next()["addr"].as_str().unwrap().to_owned();
    let metrics = node.next();
    assert_eq!(metrics["event"], "metrics");
    let url = metrics["url"].as_str().unwrap().to_owned();

    // tail follows live: it says so once subscribed, then prints what comes.
    let mut tail_args = dial(&follower, &node_id, &addr);
    tail_args.splice(0..0, args(&["--json", "bus", "tail"]));
    let mut tail = Running::start(&tail_args);
    assert_eq!(tail.next()["event"], "following");

    let events = [r#"{"n":1}"#, r#"{"n":2}"#, r#"{"n":3,"s":"x"}"#];
    let mut emit = dial(&writer, &node_id, &addr);
    emit.splice(0..0, args(&["--json", "bus", "emit"]));
    emit.extend(events.iter().map(|e| e.to_string()));
    let o = net().args(&emit).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap()["accepted"], 3);

    let mut followed: Vec<String> = (0..3).map(|_| tail.next()["raw"].as_str().unwrap().to_owned()).collect();
    followed.sort();
    assert_eq!(followed, events);
    tail.signal(libc::SIGINT);
    let (code, _, err) = tail.finish();
    assert_eq!(code, 0, "an interrupted tail exits cleanly: {err}");

    // An event that is not JSON is refused before anything is sent.
    let mut bad = dial(&writer, &node_id, &addr);
    bad.splice(0..0, args(&["bus", "emit"]));
    bad.extend(args(&[r#"{"ok":1}"#, "{oops"]));
    let o = net().args(&bad).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("EVENT 2: not JSON"));

    // poll pages through what the node retains.
    let mut poll = dial(&writer, &node_id, &addr);
    poll.splice(0..0, args(&["--json", "bus", "poll"]));
    let o = net().args(&poll).output().unwrap();
    let lines: Vec<Value> = String::from_utf8(o.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.last().unwrap()["count"], 3);

    // net stats, then a scrape of /metrics: the bus counters agree.
    let mut stats = dial(&writer, &node_id, &addr);
    stats.splice(0..0, args(&["--json", "stats"]));
    let o = net().args(&stats).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["bus"]["events_ingested"], 3);
    let (head, text) = scrape(&url);
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(head.contains("application/openmetrics-text"), "{head}");
    assert_eq!(series(&text, "net_bus_events_ingested_total"), 3);
    assert_eq!(series(&text, "net_bus_events_dropped_total"), s["bus"]["events_dropped"].as_u64().unwrap());
    assert_eq!(series(&text, "net_bus_batches_dispatched_total"), s["bus"]["batches_dispatched"].as_u64().unwrap());
    assert_eq!(series(&text, "net_mesh_handshakes_completed_total"), s["mesh"]["handshakes_completed"].as_u64().unwrap());
    assert_eq!(series(&text, "net_mesh_handshakes_failed_total"), 0);
    assert!(text.ends_with("# EOF\n"));
    let (head, _) = scrape(&url.replace("/metrics", "/other"));
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");

    node.signal(libc::SIGTERM);
    let (code, lines, err) = node.finish();
    assert_eq!(code, 0, "SIGTERM stops the node cleanly: {err}");
    let last = lines.last().unwrap();
    assert_eq!(last["event"], "stopped");
    assert_eq!(last["events_ingested"], 3);
}

#[test]
fn a_bad_config_file_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("broken-node.toml");
    std::fs::write(&config, "identity = \"node.seed\"\n[mesh]\nbind = \"127.0.0.1:0\"\nbogus = 1\n").unwrap();
    let (code, _, err) = run(&["node", "run", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken-node.toml") && err.contains("line 4") && err.contains("bogus"), "{err}");

    std::fs::write(&config, format!("identity = \"node.seed\"\n[mesh]\nbind = \"localhost-ish\"\npsk = \"{PSK}\"\n")).unwrap();
    let (code, _, err) = run(&["node", "run", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("broken-node.toml: mesh.bind"), "{err}");

    let (code, _, err) = run(&["node", "run", "--config", dir.path().join("missing.toml").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--config") && err.contains("missing.toml"), "{err}");
}
