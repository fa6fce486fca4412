//! One case of the side-by-side comparison (issue 18): the Net mesh
//! against Eclipse Zenoh 1.x in peer mode over TCP and over TLS, two
//! sessions in one process on loopback. Runs ONE case and prints ONE JSON
//! line on stdout; `run.py` runs the cases in fresh processes, interleaved,
//! and builds the table.
//!
//!   peers --system net|zenoh-tcp|zenoh-tls --case 64B_x32|64B_x1|1KiB_x32|1KiB_x1|rtt_64B
//!         [--seconds 2.0] [--round-trips 20000] [--window N] [--max-datagram N]
//!         [--zenoh-set KEY=JSON5]...   (extra Zenoh config entries, for exploration)
//!
//! Throughput counts messages DELIVERED to the receiving application, from
//! the first measured send to the last measured delivery; a reliable run
//! that lost or reordered any message reports `status: "lost"` and no rate.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::{Relaxed, SeqCst}};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use net_sdk::mesh::{MeshBuilder, MeshStream, StreamConfig};
use net_sdk::Mesh;
use zenoh::qos::CongestionControl;
use zenoh::Wait;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, BoxError>;

const PSK: [u8; 32] = [7; 32];
/// Messages per outer loop iteration of the sender, in every case and
/// system: one send call of 32, 32 calls of one, or (Zenoh) 32 puts.
const GROUP: usize = 32;
/// A reliable run waits this long without progress before declaring the
/// missing messages lost.
const STALL: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum System {
    Net,
    ZenohTcp,
    ZenohTls,
}

impl System {
    fn name(self) -> &'static str {
        match self {
            System::Net => "net",
            System::ZenohTcp => "zenoh-tcp",
            System::ZenohTls => "zenoh-tls",
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Case {
    Throughput { size: usize, per_call: usize },
    Rtt { size: usize },
}

fn parse_case(s: &str) -> Option<Case> {
    Some(match s {
        "64B_x32" => Case::Throughput { size: 64, per_call: 32 },
        "64B_x1" => Case::Throughput { size: 64, per_call: 1 },
        "1KiB_x32" => Case::Throughput { size: 1024, per_call: 32 },
        "1KiB_x1" => Case::Throughput { size: 1024, per_call: 1 },
        "rtt_64B" => Case::Rtt { size: 64 },
        _ => return None,
    })
}

struct Args {
    system: System,
    case_name: String,
    case: Case,
    seconds: f64,
    round_trips: usize,
    window: Option<u32>,
    max_datagram: Option<usize>,
    /// Extra Zenoh config entries (`key=json5 value`), for exploration.
    zenoh_set: Vec<(String, String)>,
}

fn usage() -> ! {
    eprintln!(
        "usage: peers --system net|zenoh-tcp|zenoh-tls --case 64B_x32|64B_x1|1KiB_x32|1KiB_x1|rtt_64B \
         [--seconds S] [--round-trips N] [--window PACKETS] [--max-datagram BYTES] [--zenoh-set KEY=JSON5]..."
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let (mut system, mut case_name) = (None, None);
    let (mut seconds, mut round_trips, mut window, mut max_datagram) = (2.0, 20_000, None, None);
    let mut zenoh_set = Vec::new();
    while let Some(a) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--system" => {
                system = Some(match val().as_str() {
                    "net" => System::Net,
                    "zenoh-tcp" => System::ZenohTcp,
                    "zenoh-tls" => System::ZenohTls,
                    _ => usage(),
                })
            }
            "--case" => case_name = Some(val()),
            "--seconds" => seconds = val().parse().unwrap_or_else(|_| usage()),
            "--round-trips" => round_trips = val().parse().unwrap_or_else(|_| usage()),
            "--window" => window = Some(val().parse().unwrap_or_else(|_| usage())),
            "--max-datagram" => max_datagram = Some(val().parse().unwrap_or_else(|_| usage())),
            "--zenoh-set" => {
                let kv = val();
                let Some((k, v)) = kv.split_once('=') else { usage() };
                zenoh_set.push((k.to_string(), v.to_string()));
            }
            _ => usage(),
        }
    }
    let (Some(system), Some(case_name)) = (system, case_name) else { usage() };
    let Some(case) = parse_case(&case_name) else { usage() };
    Args { system, case_name, case, seconds, round_trips, window, max_datagram, zenoh_set }
}

// ---------------------------------------------------------------- output

/// A flat JSON object built by hand (the harness needs no serde).
struct Json(Vec<(String, String)>);

impl Json {
    fn new() -> Self {
        Json(Vec::new())
    }
    fn s(&mut self, k: &str, v: &str) -> &mut Self {
        let esc: String = v
            .chars()
            .flat_map(|c| match c {
                '"' => vec!['\\', '"'],
                '\\' => vec!['\\', '\\'],
                '\n' => vec!['\\', 'n'],
                c if (c as u32) < 0x20 => vec![' '],
                c => vec![c],
            })
            .collect();
        self.0.push((k.into(), format!("\"{esc}\"")));
        self
    }
    fn n(&mut self, k: &str, v: impl std::fmt::Display) -> &mut Self {
        self.0.push((k.into(), v.to_string()));
        self
    }
    fn f(&mut self, k: &str, v: Option<f64>) -> &mut Self {
        self.0.push((k.into(), v.filter(|x| x.is_finite()).map_or("null".into(), |x| format!("{x:.3}"))));
        self
    }
    fn line(&self) -> String {
        let body: Vec<String> = self.0.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
        format!("{{{}}}", body.join(", "))
    }
}

// ------------------------------------------------------------- receiving

/// Message layout: bytes 0..8 the sequence number (LE), byte 8 the phase
/// (0 = readiness probe / warm-up, 1 = measured), the rest filler.
fn message(seq: u64, size: usize, phase: u8) -> Bytes {
    let mut v = vec![0xA5u8; size.max(9)];
    v[..8].copy_from_slice(&seq.to_le_bytes());
    v[8] = phase;
    Bytes::from(v)
}

/// What the receiving side counts; touched by exactly one receive path.
#[derive(Default)]
struct Counter {
    warm: AtomicU64,
    count: AtomicU64,
    next_seq: AtomicU64,
    disorder: AtomicU64,
    target: AtomicU64,
    done_at: Mutex<Option<Instant>>,
}

impl Counter {
    fn new() -> Arc<Self> {
        let c = Counter::default();
        c.target.store(u64::MAX, SeqCst);
        Arc::new(c)
    }

    fn on_message(&self, data: &[u8]) {
        if data.len() < 9 || data[8] == 0 {
            self.warm.fetch_add(1, Relaxed);
            return;
        }
        let seq = u64::from_le_bytes(data[..8].try_into().unwrap());
        if seq != self.next_seq.load(Relaxed) {
            self.disorder.fetch_add(1, Relaxed);
        }
        self.next_seq.store(seq + 1, Relaxed);
        let c = self.count.fetch_add(1, SeqCst) + 1;
        if c == self.target.load(SeqCst) {
            self.mark_done();
        }
    }

    fn mark_done(&self) {
        let mut d = self.done_at.lock().unwrap();
        if d.is_none() {
            *d = Some(Instant::now());
        }
    }

    /// The sender finished after `sent` measured messages.
    fn finish(&self, sent: u64) {
        self.target.store(sent, SeqCst);
        if self.count.load(SeqCst) >= sent {
            self.mark_done();
        }
    }
}

// --------------------------------------------------------------- sending

enum Tx {
    Net { mesh: Mesh, stream: MeshStream },
    Zenoh { publisher: zenoh::pubsub::Publisher<'static> },
}

impl Tx {
    /// Send `msgs` as `per_call` messages per call (Zenoh: one put each).
    async fn send(&self, msgs: &[Bytes], per_call: usize) -> Res<()> {
        match self {
            Tx::Net { mesh, stream } => {
                for chunk in msgs.chunks(per_call) {
                    mesh.send_blocking(stream, chunk).await?;
                }
            }
            Tx::Zenoh { publisher } => {
                for m in msgs {
                    publisher.put(m.clone()).await?;
                }
            }
        }
        Ok(())
    }
}

struct Throughput {
    sent: u64,
    delivered: u64,
    disorder: u64,
    elapsed: Duration,
    send_elapsed: Duration,
    warm_sent: u64,
}

/// Readiness, warm-up, then `seconds` of measured sending, then wait for
/// delivery. `tx` runs as a task on `rt` (as an application's would).
async fn throughput(tx: Arc<Tx>, counter: Arc<Counter>, size: usize, per_call: usize, seconds: f64) -> Res<Throughput> {
    // Readiness: probes until one arrives (Zenoh drops puts that match no
    // subscriber yet; the mesh needs nothing, but runs the same path).
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut probe = 0u64;
    while counter.warm.load(Relaxed) == 0 {
        if Instant::now() > deadline {
            return Err("no probe delivered within 20 s".into());
        }
        tx.send(&[message(probe, size, 0)], 1).await?;
        probe += 1;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // Warm-up: 0.25 s in the case's own pattern, then wait until it all
    // arrived (or nothing moved for 300 ms: a late probe may still count).
    let warm_target_base = counter.warm.load(Relaxed);
    let mut batch: Vec<Bytes> = Vec::with_capacity(GROUP);
    let warm_start = Instant::now();
    let mut warm_sent = 0u64;
    while warm_start.elapsed() < Duration::from_millis(250) {
        batch.clear();
        batch.extend((0..GROUP as u64).map(|i| message(warm_sent + i, size, 0)));
        tx.send(&batch, per_call).await?;
        warm_sent += GROUP as u64;
    }
    let mut last = (counter.warm.load(Relaxed), Instant::now());
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = counter.warm.load(Relaxed);
        if now >= warm_target_base + warm_sent {
            break;
        }
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() > Duration::from_millis(300) {
            break;
        }
    }
    // Measured: whole groups of GROUP messages until `seconds` have passed.
    let start = Instant::now();
    let limit = Duration::from_secs_f64(seconds);
    let mut seq = 0u64;
    while start.elapsed() < limit {
        batch.clear();
        batch.extend((0..GROUP as u64).map(|i| message(seq + i, size, 1)));
        tx.send(&batch, per_call).await?;
        seq += GROUP as u64;
    }
    let send_elapsed = start.elapsed();
    counter.finish(seq);
    // Delivery: until all arrived or nothing moved for STALL.
    let mut last = (counter.count.load(SeqCst), Instant::now());
    loop {
        if counter.done_at.lock().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
        let now = counter.count.load(SeqCst);
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() > STALL {
            break;
        }
    }
    let delivered = counter.count.load(SeqCst);
    let end = counter.done_at.lock().unwrap().unwrap_or(last.1);
    Ok(Throughput {
        sent: seq,
        delivered,
        disorder: counter.disorder.load(Relaxed),
        elapsed: end - start,
        send_elapsed,
        warm_sent,
    })
}

fn report_throughput(out: &mut Json, t: &Throughput) {
    let lost = t.sent.saturating_sub(t.delivered);
    let ok = lost == 0 && t.disorder == 0 && t.delivered == t.sent;
    let rate = t.delivered as f64 / t.elapsed.as_secs_f64();
    out.s("status", if ok { "ok" } else { "lost" })
        .f("msgs_per_s", ok.then_some(rate))
        .n("sent", t.sent)
        .n("delivered", t.delivered)
        .n("lost", lost)
        .n("disorder", t.disorder)
        .f("elapsed_s", Some(t.elapsed.as_secs_f64()))
        .f("send_elapsed_s", Some(t.send_elapsed.as_secs_f64()))
        .f("accepted_per_s", Some(t.sent as f64 / t.send_elapsed.as_secs_f64()))
        .n("warmup_msgs", t.warm_sent);
    if !ok {
        out.f("delivered_per_s_if_counted", Some(rate));
    }
}

struct Rtt {
    samples: Vec<Duration>,
    mismatched: u64,
}

fn report_rtt(out: &mut Json, r: &Rtt) {
    let mut s = r.samples.clone();
    s.sort();
    let pct = |q: f64| s[((s.len() as f64 * q) as usize).min(s.len() - 1)].as_secs_f64() * 1e6;
    out.s("status", if r.mismatched == 0 { "ok" } else { "lost" })
        .f("p50_us", Some(pct(0.50)))
        .f("p99_us", Some(pct(0.99)))
        .f("max_us", Some(s.last().unwrap().as_secs_f64() * 1e6))
        .f("mean_us", Some(s.iter().map(|d| d.as_secs_f64()).sum::<f64>() / s.len() as f64 * 1e6))
        .n("round_trips", s.len())
        .n("mismatched", r.mismatched);
}

// ------------------------------------------------------------------- net

async fn net_pair(max_datagram: Option<usize>) -> Res<(Mesh, Mesh)> {
    let mk = || async {
        let mut b = MeshBuilder::new("127.0.0.1:0", &PSK)?;
        if let Some(m) = max_datagram {
            b = b.max_datagram(m);
        }
        b.build().await
    };
    let (a, b) = (mk().await?, mk().await?);
    let (ra, rb) = tokio::join!(a.connect(b.local_addr(), b.public_key(), b.node_id()), b.accept(a.node_id()));
    ra?;
    rb?;
    a.start()?;
    b.start()?;
    Ok((a, b))
}

fn run_net(args: &Args, rt: &tokio::runtime::Runtime, out: &mut Json) -> Res<()> {
    let (a, b) = rt.block_on(net_pair(args.max_datagram))?;
    out.s("transport", "UDP, Noise handshake, ChaCha20-Poly1305");
    out.n("max_datagram", args.max_datagram.map_or("null".into(), |m| m.to_string()));
    match args.case {
        Case::Throughput { size, per_call } => {
            // The stream configuration of core/benches/mesh.rs.
            let window = args.window.unwrap_or(if size <= 64 { 8192 } else { 2048 });
            let cfg = StreamConfig::new().with_window_bytes(window).with_receive_capacity(1 << 16);
            out.n("window_packets", window).n("receive_capacity", 1 << 16);
            let rx = b.open_stream(a.node_id(), 100, cfg)?;
            let stream = a.open_stream(b.node_id(), 100, cfg)?;
            let counter = Counter::new();
            let reader = {
                let (b, counter) = (b.clone(), counter.clone());
                rt.spawn(async move {
                    while let Ok(m) = b.recv(&rx).await {
                        counter.on_message(&m);
                    }
                })
            };
            let tx = Arc::new(Tx::Net { mesh: a.clone(), stream });
            let t = rt.block_on(rt.spawn(throughput(tx, counter, size, per_call, args.seconds)))??;
            report_throughput(out, &t);
            if let Some(s) = a.stream_stats(b.node_id(), 100) {
                out.n("backpressure_events", s.backpressure_events).n("retransmits", s.retransmits);
            }
            out.n("datagrams_sent", a.stats().datagrams_sent).n("datagrams_refused", a.stats().datagrams_refused).n("datagrams_back", b.stats().datagrams_sent);
            reader.abort();
        }
        Case::Rtt { size } => {
            let window = args.window.unwrap_or(64);
            let cfg = StreamConfig::new().with_window_bytes(window);
            out.n("window_packets", window);
            let (req_rx, resp_tx) = (b.open_stream(a.node_id(), 1, cfg)?, b.open_stream(a.node_id(), 2, cfg)?);
            let (req_tx, resp_rx) = (a.open_stream(b.node_id(), 1, cfg)?, a.open_stream(b.node_id(), 2, cfg)?);
            let echo = {
                let b = b.clone();
                rt.spawn(async move {
                    while let Ok(m) = b.recv(&req_rx).await {
                        if b.send_blocking(&resp_tx, &[m]).await.is_err() {
                            break;
                        }
                    }
                })
            };
            let n = args.round_trips;
            let a2 = a.clone();
            let r = rt.block_on(rt.spawn(async move {
                let mut samples = Vec::with_capacity(n);
                let mut mismatched = 0;
                for i in 0..(2000 + n) as u64 {
                    let msg = [message(i, size, 1)];
                    let t = Instant::now();
                    a2.send_blocking(&req_tx, &msg).await?;
                    let back = a2.recv_timeout(&resp_rx, Duration::from_secs(10)).await?;
                    let d = t.elapsed();
                    if back[..8] != msg[0][..8] {
                        mismatched += 1;
                    }
                    if i >= 2000 {
                        samples.push(d);
                    }
                }
                Ok::<_, BoxError>(Rtt { samples, mismatched })
            }))??;
            report_rtt(out, &r);
            echo.abort();
        }
    }
    rt.block_on(async {
        let _ = tokio::time::timeout(Duration::from_secs(2), a.shutdown()).await;
        let _ = tokio::time::timeout(Duration::from_secs(2), b.shutdown()).await;
    });
    Ok(())
}

// ----------------------------------------------------------------- zenoh

/// A throwaway CA and a server certificate for 127.0.0.1 signed by it,
/// written as PEM files into a fresh temp directory.
struct Certs {
    dir: PathBuf,
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn make_certs() -> Res<Certs> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let dir = std::env::temp_dir().join(format!("net-bench-peers-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "net-bench-peers CA");
    let ca_key = KeyPair::generate()?;
    let ca = ca_params.self_signed(&ca_key)?;
    let mut srv_params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])?;
    srv_params.distinguished_name.push(DnType::CommonName, "127.0.0.1");
    let srv_key = KeyPair::generate()?;
    let srv = srv_params.signed_by(&srv_key, &ca, &ca_key)?;
    let w = |name: &str, pem: String| -> Res<PathBuf> {
        let p = dir.join(name);
        std::fs::write(&p, pem)?;
        Ok(p)
    };
    Ok(Certs {
        ca: w("ca.pem", ca.pem())?,
        cert: w("server.pem", srv.pem())?,
        key: w("server.key", srv_key.serialize_pem())?,
        dir,
    })
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos() as u64)
}

fn free_port() -> Res<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn json_path(p: &Path) -> String {
    format!("\"{}\"", p.display())
}

/// Peer-mode config: explicit loopback endpoints only, no scouting.
fn zenoh_config(
    listen: Option<&str>,
    connect: Option<&str>,
    certs: Option<&Certs>,
    extra: &[(String, String)],
) -> Res<zenoh::Config> {
    let mut c = zenoh::Config::default();
    let list = |e: Option<&str>| e.map_or("[]".to_string(), |e| format!("[\"{e}\"]"));
    c.insert_json5("mode", "\"peer\"")?;
    c.insert_json5("listen/endpoints", &list(listen))?;
    c.insert_json5("connect/endpoints", &list(connect))?;
    c.insert_json5("scouting/multicast/enabled", "false")?;
    c.insert_json5("scouting/gossip/enabled", "false")?;
    if let Some(certs) = certs {
        c.insert_json5("transport/link/tls/root_ca_certificate", &json_path(&certs.ca))?;
        c.insert_json5("transport/link/tls/listen_certificate", &json_path(&certs.cert))?;
        c.insert_json5("transport/link/tls/listen_private_key", &json_path(&certs.key))?;
        c.insert_json5("transport/link/tls/verify_name_on_connect", "true")?;
    }
    for (k, v) in extra {
        c.insert_json5(k, v).map_err(|e| format!("--zenoh-set {k}={v}: {e}"))?;
    }
    Ok(c)
}

fn run_zenoh(args: &Args, rt: &tokio::runtime::Runtime, out: &mut Json) -> Res<()> {
    let tls = args.system == System::ZenohTls;
    let certs = if tls { Some(make_certs()?) } else { None };
    let port = free_port()?;
    let endpoint = format!("{}/127.0.0.1:{port}", if tls { "tls" } else { "tcp" });
    out.s(
        "transport",
        if tls { "TCP + TLS 1.3 (rustls, server cert verified)" } else { "TCP, no encryption" },
    );
    let cfg_l = zenoh_config(Some(&endpoint), None, certs.as_ref(), &args.zenoh_set)?;
    let cfg_c = zenoh_config(None, Some(&endpoint), certs.as_ref(), &args.zenoh_set)?;
    if !args.zenoh_set.is_empty() {
        let set: Vec<String> = args.zenoh_set.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.s("zenoh_set", &set.join(" "));
    }
    match args.case {
        Case::Throughput { size, per_call } => {
            out.s("note", "zenoh has no batch put: one put per message; its transport batches consecutive puts itself");
            let counter = Counter::new();
            let (sub_session, pub_session, subscriber, publisher) = rt.block_on(async {
                let l = zenoh::open(cfg_l).await?;
                let c2 = counter.clone();
                let subscriber = l
                    .declare_subscriber("bench/thr")
                    .callback(move |sample| c2.on_message(&sample.payload().to_bytes()))
                    .await?;
                let c = zenoh::open(cfg_c).await?;
                let publisher = c
                    .declare_publisher("bench/thr")
                    .congestion_control(CongestionControl::Block)
                    .express(false)
                    .await?;
                Ok::<_, BoxError>((l, c, subscriber, publisher))
            })?;
            out.s("congestion_control", "block").s("reliability", "reliable").n("express", false);
            let tx = Arc::new(Tx::Zenoh { publisher });
            let t = rt.block_on(rt.spawn(throughput(tx.clone(), counter, size, per_call, args.seconds)))??;
            report_throughput(out, &t);
            drop(tx);
            rt.block_on(async {
                let _ = subscriber.undeclare().await;
                let _ = tokio::time::timeout(Duration::from_secs(2), pub_session.close()).await;
                let _ = tokio::time::timeout(Duration::from_secs(2), sub_session.close()).await;
            });
        }
        Case::Rtt { size } => {
            out.s("congestion_control", "block").n("express", true);
            let n = args.round_trips;
            // Sessions and declarations on the runtime; the ping loop itself
            // is Zenoh's own z_ping pattern: synchronous put + blocking recv
            // on a plain thread (faster here than an async task on tokio).
            let (l, c, _echo, ping, replies) = rt.block_on(async move {
                let l = zenoh::open(cfg_l).await?;
                let pong = l
                    .declare_publisher("bench/pong")
                    .congestion_control(CongestionControl::Block)
                    .express(true)
                    .await?;
                let echo = l
                    .declare_subscriber("bench/ping")
                    .callback(move |sample| {
                        let _ = pong.put(sample.payload().clone()).wait();
                    })
                    .await?;
                let c = zenoh::open(cfg_c).await?;
                let ping = c
                    .declare_publisher("bench/ping")
                    .congestion_control(CongestionControl::Block)
                    .express(true)
                    .await?;
                let replies = c.declare_subscriber("bench/pong").await?;
                Ok::<_, BoxError>((l, c, echo, ping, replies))
            })?;
            // Readiness: until a probe comes back both ways.
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if Instant::now() > deadline {
                    return Err("no pong within 20 s".into());
                }
                ping.put(message(u64::MAX, size, 0)).wait()?;
                if replies.recv_timeout(Duration::from_millis(50))?.is_some() {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(200));
            while let Ok(Some(_)) = replies.try_recv() {}
            let mut samples = Vec::with_capacity(n);
            let mut mismatched = 0;
            for i in 0..(2000 + n) as u64 {
                let msg = message(i, size, 1);
                let t = Instant::now();
                ping.put(msg.clone()).wait()?;
                let back = replies.recv_timeout(Duration::from_secs(10))?.ok_or("no pong within 10 s")?;
                let d = t.elapsed();
                if back.payload().to_bytes()[..8] != msg[..8] {
                    mismatched += 1;
                }
                if i >= 2000 {
                    samples.push(d);
                }
            }
            let r = Rtt { samples, mismatched };
            drop(replies);
            rt.block_on(async {
                let _ = tokio::time::timeout(Duration::from_secs(2), c.close()).await;
                let _ = tokio::time::timeout(Duration::from_secs(2), l.close()).await;
            });
            report_rtt(out, &r);
        }
    }
    drop(certs);
    Ok(())
}

fn main() {
    let args = parse_args();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    let mut out = Json::new();
    out.s("system", args.system.name()).s("case", &args.case_name);
    match args.case {
        Case::Throughput { size, per_call } => {
            out.s("kind", "throughput").n("size", size).n("per_call", per_call).f("seconds", Some(args.seconds));
        }
        Case::Rtt { size } => {
            out.s("kind", "rtt").n("size", size);
        }
    }
    let result = match args.system {
        System::Net => run_net(&args, &rt, &mut out),
        System::ZenohTcp | System::ZenohTls => run_zenoh(&args, &rt, &mut out),
    };
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            out.s("status", "error").s("error", &e.to_string());
            1
        }
    };
    println!("{}", out.line());
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // Skip runtime teardown: background tasks of either system may linger.
    std::process::exit(code);
}
