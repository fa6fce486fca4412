//! Prometheus exposition of the statistics of the bus ([`Stats`]), the
//! mesh ([`MeshStats`]) and each mesh stream ([`StreamStats`]), rendered
//! by `prometheus-client` (feature `metrics`).
//!
//! Every face renders through [`prometheus_text`], so the metric names,
//! help texts and labels are the same from Rust, C, Go, Python, Node and
//! the `net` command-line tool:
//!
//! | metric | type | from |
//! |---|---|---|
//! | `net_bus_events_ingested_total`, `net_bus_events_dropped_total`, `net_bus_batches_dispatched_total`, `net_bus_backend_errors_total`, `net_bus_backend_reconnects_total`, `net_bus_forward_failures_total`, `net_bus_remote_events_total` | counter | [`Stats`] |
//! | `net_bus_shard_depth{shard}` | gauge | [`Stats::shard_depths`] |
//! | `net_mesh_datagrams_{received,sent,refused}_total`, `net_mesh_packets_{tampered,replayed,malformed}_total`, `net_mesh_handshakes_{completed,failed}_total`, `net_mesh_{receive,maintenance}_panics_total` | counter | [`MeshStats`] |
//! | `net_mesh_sessions`, `net_mesh_pending_handshakes` | gauge | [`MeshStats`] |
//! | `net_stream_messages_{sent,received}_total`, `net_stream_retransmits_total`, `net_stream_backpressure_events_total` | counter | [`StreamStats`], labels `peer` (hex node id) and `stream` |
//! | `net_stream_in_flight_packets`, `net_stream_window_packets`, `net_stream_inbox_messages`, `net_stream_srtt_seconds` | gauge | [`StreamStats`] |
//!
//! A part that is absent (no bus, no mesh) is simply not rendered.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;

use crate::bus::{Net, Stats};
use crate::mesh::{Mesh, MeshStats, StreamStats};

/// One stream's counters and who it is with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSample {
    /// The peer's node id.
    pub peer: u64,
    /// The stream id.
    pub stream: u64,
    /// Its counters.
    pub stats: StreamStats,
}

/// The statistics one rendering shows, taken at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The bus's counters, if there is a bus.
    pub bus: Option<Stats>,
    /// The mesh's counters, if there is a mesh.
    pub mesh: Option<MeshStats>,
    /// Every open stream of the mesh.
    pub streams: Vec<StreamSample>,
}

impl Snapshot {
    /// The current statistics of `bus` and `mesh` (either may be absent).
    pub fn of(bus: Option<&Net>, mesh: Option<&Mesh>) -> Snapshot {
        Snapshot {
            bus: bus.map(Net::stats),
            mesh: mesh.map(Mesh::stats),
            streams: mesh
                .map(|m| {
                    m.all_stream_stats()
                        .into_iter()
                        .map(|(peer, stream, stats)| StreamSample { peer, stream, stats })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The Prometheus text exposition format (version 0.0.4 compatible,
    /// OpenMetrics `# EOF` terminated) of this snapshot.
    pub fn prometheus_text(&self) -> String {
        let mut registry = Registry::with_prefix("net");
        if let Some(bus) = &self.bus {
            register_bus(registry.sub_registry_with_prefix("bus"), bus);
        }
        if let Some(mesh) = &self.mesh {
            register_mesh(registry.sub_registry_with_prefix("mesh"), mesh);
        }
        if !self.streams.is_empty() {
            register_streams(registry.sub_registry_with_prefix("stream"), &self.streams);
        }
        let mut out = String::new();
        encode(&mut out, &registry).expect("writing into a String cannot fail");
        out
    }
}

/// The Prometheus text of `bus` and `mesh` right now: what `/metrics` of
/// `net node run` serves and what every binding's `prometheus_text` returns.
pub fn prometheus_text(bus: Option<&Net>, mesh: Option<&Mesh>) -> String {
    Snapshot::of(bus, mesh).prometheus_text()
}

fn counter(registry: &mut Registry, name: &str, help: &str, value: u64) {
    let c: Counter = Counter::default();
    c.inc_by(value);
    registry.register(name, help, c);
}

fn gauge(registry: &mut Registry, name: &str, help: &str, value: u64) {
    let g: Gauge = Gauge::default();
    g.set(clamp_i64(value));
    registry.register(name, help, g);
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn register_bus(r: &mut Registry, s: &Stats) {
    counter(r, "events_ingested", "Events accepted into a shard ring", s.events_ingested);
    counter(r, "events_dropped", "Events discarded by backpressure or lost to a failing backend", s.events_dropped);
    counter(r, "batches_dispatched", "Batches appended to the backend", s.batches_dispatched);
    counter(r, "backend_errors", "Failed appends and reads against the backend", s.backend_errors);
    counter(r, "backend_reconnects", "Times the backend connection was re-established", s.reconnects);
    counter(r, "forward_failures", "Events not delivered to a mesh peer", s.forward_failures);
    counter(r, "remote_events", "Events received from mesh peers and stored", s.remote_events);
    let depth = Family::<Vec<(String, String)>, Gauge>::default();
    for (shard, d) in s.shard_depths.iter().enumerate() {
        depth.get_or_create(&vec![("shard".to_owned(), shard.to_string())]).set(clamp_i64(*d as u64));
    }
    r.register("shard_depth", "Events waiting in the shard's ring", depth);
}

fn register_mesh(r: &mut Registry, s: &MeshStats) {
    counter(r, "datagrams_received", "Datagrams received (any kind)", s.datagrams_received);
    counter(r, "datagrams_sent", "Datagrams handed to the socket", s.datagrams_sent);
    counter(r, "datagrams_refused", "Datagrams the socket refused (send buffer full)", s.datagrams_refused);
    counter(r, "packets_tampered", "Packets that failed authentication and were dropped", s.tampered);
    counter(r, "packets_replayed", "Authentic packets refused as replays", s.replayed);
    counter(r, "packets_malformed", "Datagrams that were not packets, or for no known session", s.malformed);
    counter(r, "handshakes_completed", "Handshakes that produced a confirmed session", s.handshakes_completed);
    counter(r, "handshakes_failed", "Handshakes refused or failed", s.handshakes_failed);
    counter(r, "receive_panics", "Panics caught in the receive task", s.receive_panics);
    counter(r, "maintenance_panics", "Panics caught in the timer task", s.maintenance_panics);
    gauge(r, "sessions", "Live sessions", s.sessions);
    gauge(r, "pending_handshakes", "Sessions whose peer has not confirmed yet", s.pending_handshakes);
}

type Labels = Vec<(String, String)>;

fn register_streams(r: &mut Registry, streams: &[StreamSample]) {
    let sent = Family::<Labels, Counter>::default();
    let received = Family::<Labels, Counter>::default();
    let retransmits = Family::<Labels, Counter>::default();
    let backpressure = Family::<Labels, Counter>::default();
    let in_flight = Family::<Labels, Gauge>::default();
    let window = Family::<Labels, Gauge>::default();
    let inbox = Family::<Labels, Gauge>::default();
    let srtt = Family::<Labels, Gauge<f64, AtomicU64>>::default();
    for s in streams {
        let labels = vec![("peer".to_owned(), format!("{:#018x}", s.peer)), ("stream".to_owned(), s.stream.to_string())];
        let st = &s.stats;
        sent.get_or_create(&labels).inc_by(st.messages_sent);
        received.get_or_create(&labels).inc_by(st.messages_received);
        retransmits.get_or_create(&labels).inc_by(st.retransmits);
        backpressure.get_or_create(&labels).inc_by(st.backpressure_events);
        in_flight.get_or_create(&labels).set(clamp_i64(st.in_flight));
        window.get_or_create(&labels).set(i64::from(st.window));
        inbox.get_or_create(&labels).set(clamp_i64(st.inbox));
        srtt.get_or_create(&labels).set(st.srtt_us as f64 / 1e6);
    }
    r.register("messages_sent", "Messages accepted for sending on the stream", sent);
    r.register("messages_received", "Messages delivered to the stream's inbox", received);
    r.register("retransmits", "Packets of the stream sent again after a timeout", retransmits);
    r.register("backpressure_events", "Sends on the stream refused with backpressure", backpressure);
    r.register_with_unit("in_flight", "Packets sent and not yet acknowledged", Unit::Other("packets".into()), in_flight);
    r.register_with_unit("window", "The stream's in-flight window", Unit::Other("packets".into()), window);
    r.register_with_unit("inbox", "Messages waiting in the stream's inbox", Unit::Other("messages".into()), inbox);
    r.register_with_unit("srtt", "Smoothed round-trip time (0 before a sample)", Unit::Seconds, srtt);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Snapshot {
        Snapshot {
            bus: Some(Stats {
                events_ingested: 7,
                events_dropped: 1,
                batches_dispatched: 3,
                shard_depths: vec![2, 0],
                backend_errors: 4,
                reconnects: 5,
                since_last_success: None,
                forward_failures: 6,
                remote_events: 8,
            }),
            mesh: Some(MeshStats { datagrams_sent: 11, sessions: 1, handshakes_completed: 1, ..Default::default() }),
            streams: vec![StreamSample {
                peer: 0xab,
                stream: 5,
                stats: StreamStats {
                    tx_seq: 4,
                    rx_seq: 2,
                    in_flight: 1,
                    window: 64,
                    backpressure_events: 0,
                    retransmits: 2,
                    messages_sent: 4,
                    messages_received: 2,
                    inbox: 0,
                    srtt_us: 1500,
                },
            }],
        }
    }

    fn value_of(text: &str, series: &str) -> Option<String> {
        text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ').map(str::to_owned))
    }

    #[test]
    fn renders_every_part_with_its_values() {
        let text = sample().prometheus_text();
        assert_eq!(value_of(&text, "net_bus_events_ingested_total").as_deref(), Some("7"));
        assert_eq!(value_of(&text, "net_bus_events_dropped_total").as_deref(), Some("1"));
        assert_eq!(value_of(&text, "net_bus_backend_errors_total").as_deref(), Some("4"));
        assert_eq!(value_of(&text, "net_bus_backend_reconnects_total").as_deref(), Some("5"));
        assert_eq!(value_of(&text, "net_bus_forward_failures_total").as_deref(), Some("6"));
        assert_eq!(value_of(&text, "net_bus_remote_events_total").as_deref(), Some("8"));
        assert_eq!(value_of(&text, "net_bus_shard_depth{shard=\"0\"}").as_deref(), Some("2"));
        assert_eq!(value_of(&text, "net_mesh_datagrams_sent_total").as_deref(), Some("11"));
        assert_eq!(value_of(&text, "net_mesh_sessions").as_deref(), Some("1"));
        let labels = "{peer=\"0x00000000000000ab\",stream=\"5\"}";
        assert_eq!(value_of(&text, &format!("net_stream_messages_sent_total{labels}")).as_deref(), Some("4"));
        assert_eq!(value_of(&text, &format!("net_stream_retransmits_total{labels}")).as_deref(), Some("2"));
        assert_eq!(value_of(&text, &format!("net_stream_window_packets{labels}")).as_deref(), Some("64"));
        assert_eq!(value_of(&text, &format!("net_stream_srtt_seconds{labels}")).as_deref(), Some("0.0015"));
        assert!(text.contains("# TYPE net_bus_events_ingested counter"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn absent_parts_are_not_rendered() {
        let text = Snapshot { mesh: None, streams: vec![], ..sample() }.prometheus_text();
        assert!(text.contains("net_bus_events_ingested_total 7"));
        assert!(!text.contains("net_mesh_"), "{text}");
        assert!(!text.contains("net_stream_"), "{text}");
        assert_eq!(Snapshot::default().prometheus_text(), "# EOF\n");
    }
}
