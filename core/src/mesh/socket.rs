//! The UDP socket: batched sends and receives.
//!
//! On Linux a batch of datagrams leaves in one `sendmmsg` and arrives in
//! one `recvmmsg` (up to [`RECV_BATCH`] per call), so the per-message cost
//! is not one system call; elsewhere the same API loops over `send_to` /
//! `recv_from`. Sends are non-blocking and happen on the caller's thread
//! (no hand-off to a task); receives are driven by tokio's readiness.

use std::io;
use std::net::{SocketAddr, UdpSocket as StdSocket};

use parking_lot::Mutex;
use tokio::io::Interest;
use tokio::net::UdpSocket;

use super::shim::LossyLink;

/// Datagrams taken per receive call.
pub const RECV_BATCH: usize = 32;
/// Kernel socket buffer size requested for each direction.
pub const SOCKET_BUFFER: usize = 4 << 20;
/// Receive buffer per datagram (the largest UDP payload).
pub const RECV_BUF: usize = 65_536;

/// A bound UDP socket shared by the mesh's tasks and callers.
pub struct Socket {
    std: StdSocket,
    tokio: UdpSocket,
    shim: Option<Mutex<LossyLink>>,
}

/// Reused receive buffers.
pub struct RecvBatch {
    pub(crate) bufs: Vec<Vec<u8>>,
    pub(crate) lens: Vec<usize>,
    pub(crate) addrs: Vec<SocketAddr>,
}

impl RecvBatch {
    /// Buffers for [`RECV_BATCH`] datagrams of up to `max_datagram` bytes.
    pub fn new(max_datagram: usize) -> Self {
        let size = max_datagram.clamp(1, RECV_BUF);
        Self {
            bufs: (0..RECV_BATCH).map(|_| vec![0u8; size]).collect(),
            lens: vec![0; RECV_BATCH],
            addrs: vec![SocketAddr::from(([0, 0, 0, 0], 0)); RECV_BATCH],
        }
    }
}

impl Socket {
    /// Bind `addr` (non-blocking) on the current tokio runtime.
    pub fn bind(addr: SocketAddr, shim: Option<LossyLink>) -> io::Result<Self> {
        let std = StdSocket::bind(addr)?;
        std.set_nonblocking(true)?;
        sys::grow_buffers(&std);
        let tokio = UdpSocket::from_std(std.try_clone()?)?;
        Ok(Self { std, tokio, shim: shim.map(Mutex::new) })
    }

    /// The bound address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.std.local_addr()
    }

    /// Counters of the lossy link, if one is configured.
    pub fn shim_counts(&self) -> Option<(u64, u64, u64)> {
        self.shim.as_ref().map(|s| {
            let s = s.lock();
            (s.dropped, s.duplicated, s.reordered)
        })
    }

    /// Send `datagrams` to `to`; returns how many left (the rest met a full
    /// send buffer). With a lossy link, its decisions apply first and
    /// datagrams it drops count as sent.
    pub fn send_batch(&self, to: SocketAddr, datagrams: &[Vec<u8>]) -> usize {
        if datagrams.is_empty() {
            return 0;
        }
        if let Some(shim) = &self.shim {
            let mut out = Vec::new();
            {
                let mut s = shim.lock();
                for d in datagrams {
                    s.pass(d, &mut out);
                }
            }
            sys::send_many(&self.std, to, &out);
            return datagrams.len();
        }
        sys::send_many(&self.std, to, datagrams)
    }

    /// Wait for datagrams and take up to [`RECV_BATCH`] of them.
    pub async fn recv_batch(&self, batch: &mut RecvBatch) -> io::Result<usize> {
        loop {
            self.tokio.readable().await?;
            match self.tokio.try_io(Interest::READABLE, || sys::recv_many(&self.std, batch)) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                // ICMP errors (port unreachable from an earlier send) surface
                // on the next receive; they are not this socket's failure.
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(target_os = "linux")]
mod sys {
    use super::*;
    use std::mem::{size_of, zeroed};
    use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};
    use std::os::fd::AsRawFd;

    fn to_raw(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
        // SAFETY: sockaddr_storage is plain data; all-zero is a valid value.
        let mut storage: libc::sockaddr_storage = unsafe { zeroed() };
        let len = match addr {
            SocketAddr::V4(a) => {
                // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
                let sin = unsafe { &mut *(&mut storage as *mut _ as *mut libc::sockaddr_in) };
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = a.port().to_be();
                sin.sin_addr = libc::in_addr { s_addr: u32::from_ne_bytes(a.ip().octets()) };
                size_of::<libc::sockaddr_in>()
            }
            SocketAddr::V6(a) => {
                // SAFETY: as above, for sockaddr_in6.
                let sin6 = unsafe { &mut *(&mut storage as *mut _ as *mut libc::sockaddr_in6) };
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = a.port().to_be();
                sin6.sin6_addr = libc::in6_addr { s6_addr: a.ip().octets() };
                sin6.sin6_flowinfo = a.flowinfo();
                sin6.sin6_scope_id = a.scope_id();
                size_of::<libc::sockaddr_in6>()
            }
        };
        (storage, len as libc::socklen_t)
    }

    fn from_raw(storage: &libc::sockaddr_storage) -> SocketAddr {
        match storage.ss_family as libc::c_int {
            libc::AF_INET6 => {
                // SAFETY: the kernel wrote a sockaddr_in6 (family says so).
                let s = unsafe { &*(storage as *const _ as *const libc::sockaddr_in6) };
                SocketAddr::V6(SocketAddrV6::new(
                    Ipv6Addr::from(s.sin6_addr.s6_addr),
                    u16::from_be(s.sin6_port),
                    s.sin6_flowinfo,
                    s.sin6_scope_id,
                ))
            }
            _ => {
                // SAFETY: the kernel wrote a sockaddr_in.
                let s = unsafe { &*(storage as *const _ as *const libc::sockaddr_in) };
                SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(s.sin_addr.s_addr.to_ne_bytes()), u16::from_be(s.sin_port)))
            }
        }
    }

    /// Ask for large kernel buffers (the kernel caps them at
    /// `net.core.{r,w}mem_max`): bursts of a full window then queue in the
    /// kernel instead of being dropped and retransmitted. Best effort.
    pub fn grow_buffers(sock: &StdSocket) {
        let size: libc::c_int = SOCKET_BUFFER as libc::c_int;
        for opt in [libc::SO_RCVBUF, libc::SO_SNDBUF] {
            // SAFETY: a valid fd, an int option value of the declared size.
            unsafe {
                libc::setsockopt(
                    sock.as_raw_fd(),
                    libc::SOL_SOCKET,
                    opt,
                    &size as *const _ as *const libc::c_void,
                    size_of::<libc::c_int>() as libc::socklen_t,
                );
            }
        }
    }

    /// `sendmmsg` in chunks; stops at the first chunk the kernel refuses.
    pub fn send_many(sock: &StdSocket, to: SocketAddr, datagrams: &[Vec<u8>]) -> usize {
        const CHUNK: usize = 64;
        let (mut addr, addr_len) = to_raw(to);
        let mut sent = 0;
        for chunk in datagrams.chunks(CHUNK) {
            let mut iovs: Vec<libc::iovec> = chunk
                .iter()
                .map(|d| libc::iovec { iov_base: d.as_ptr() as *mut _, iov_len: d.len() })
                .collect();
            let mut msgs: Vec<libc::mmsghdr> = iovs
                .iter_mut()
                .map(|iov| {
                    // SAFETY: msghdr is plain data; zero is "no control data, no flags".
                    let mut h: libc::msghdr = unsafe { zeroed() };
                    h.msg_name = &mut addr as *mut _ as *mut libc::c_void;
                    h.msg_namelen = addr_len;
                    h.msg_iov = iov;
                    h.msg_iovlen = 1;
                    libc::mmsghdr { msg_hdr: h, msg_len: 0 }
                })
                .collect();
            let mut done = 0;
            while done < msgs.len() {
                // SAFETY: every header points at live iovecs, buffers and the
                // address, all outliving the call; the count matches the slice.
                let n = unsafe {
                    libc::sendmmsg(sock.as_raw_fd(), msgs[done..].as_mut_ptr(), (msgs.len() - done) as u32, 0)
                };
                if n <= 0 {
                    let err = io::Error::last_os_error();
                    if n < 0 && err.kind() == io::ErrorKind::Interrupted {
                        continue;
                    }
                    return sent + done;
                }
                done += n as usize;
            }
            sent += done;
        }
        sent
    }

    /// One `recvmmsg` (non-blocking) into `batch`.
    pub fn recv_many(sock: &StdSocket, batch: &mut RecvBatch) -> io::Result<usize> {
        let count = batch.bufs.len();
        // SAFETY: zeroed sockaddr_storage is valid plain data.
        let mut names: Vec<libc::sockaddr_storage> = (0..count).map(|_| unsafe { zeroed() }).collect();
        let mut iovs: Vec<libc::iovec> = batch
            .bufs
            .iter_mut()
            .map(|b| libc::iovec { iov_base: b.as_mut_ptr() as *mut _, iov_len: b.len() })
            .collect();
        let mut msgs: Vec<libc::mmsghdr> = iovs
            .iter_mut()
            .zip(names.iter_mut())
            .map(|(iov, name)| {
                // SAFETY: plain data, see above.
                let mut h: libc::msghdr = unsafe { zeroed() };
                h.msg_name = name as *mut _ as *mut libc::c_void;
                h.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
                h.msg_iov = iov;
                h.msg_iovlen = 1;
                libc::mmsghdr { msg_hdr: h, msg_len: 0 }
            })
            .collect();
        // SAFETY: headers point at live buffers/names sized as declared.
        let n = unsafe {
            libc::recvmmsg(sock.as_raw_fd(), msgs.as_mut_ptr(), count as u32, libc::MSG_DONTWAIT, std::ptr::null_mut())
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = n as usize;
        for i in 0..n {
            batch.lens[i] = msgs[i].msg_len as usize;
            batch.addrs[i] = from_raw(&names[i]);
        }
        Ok(n)
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    use super::*;

    pub fn grow_buffers(_sock: &StdSocket) {}

    pub fn send_many(sock: &StdSocket, to: SocketAddr, datagrams: &[Vec<u8>]) -> usize {
        datagrams.iter().take_while(|d| sock.send_to(d, to).is_ok()).count()
    }

    pub fn recv_many(sock: &StdSocket, batch: &mut RecvBatch) -> io::Result<usize> {
        let mut n = 0;
        while n < batch.bufs.len() {
            match sock.recv_from(&mut batch.bufs[n]) {
                Ok((len, addr)) => {
                    batch.lens[n] = len;
                    batch.addrs[n] = addr;
                    n += 1;
                }
                Err(e) if n > 0 && e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }
}
