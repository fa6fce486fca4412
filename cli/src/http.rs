//! The `/metrics` endpoint of `net node run`: just enough HTTP/1.x for a
//! Prometheus scrape (GET, one response per connection).

use std::time::Duration;

use net_sdk::mesh::Mesh;
use net_sdk::Net;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The content type of `prometheus-client`'s text encoding.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// A request head longer than this is refused.
const MAX_HEAD: usize = 8 * 1024;

/// Serve scrapes on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, bus: Net, mesh: Mesh) {
    while let Ok((conn, _)) = listener.accept().await {
        let (bus, mesh) = (bus.clone(), mesh.clone());
        tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(10), answer(conn, &bus, &mesh)).await;
        });
    }
}

async fn answer(mut conn: TcpStream, bus: &Net, mesh: &Mesh) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
        if head.len() > MAX_HEAD {
            return respond(&mut conn, "431 Request Header Fields Too Large", "text/plain", "request head too large\n").await;
        }
    }
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let mut parts = std::str::from_utf8(line).unwrap_or("").split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    match (method, path) {
        ("GET", "/metrics") => {
            let text = net_sdk::metrics::prometheus_text(Some(bus), Some(mesh));
            respond(&mut conn, "200 OK", CONTENT_TYPE, &text).await
        }
        ("GET", _) => respond(&mut conn, "404 Not Found", "text/plain", "not found: try /metrics\n").await,
        _ => respond(&mut conn, "405 Method Not Allowed", "text/plain", "only GET\n").await,
    }
}

async fn respond(conn: &mut TcpStream, status: &str, content_type: &str, body: &str) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await?;
    conn.write_all(body.as_bytes()).await?;
    conn.shutdown().await
}
