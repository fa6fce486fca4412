//! The UDP socket: batched sends and receives.
//!
//! On Linux a batch of datagrams leaves in one `sendmmsg` and arrives in
//! one `recvmmsg` (up to [`RECV_BATCH`] per call), so the per-message cost
//! is not one system call; elsewhere the same API loops over `send_to` /
//! `recv_from`. Sends are non-blocking and happen on the caller's thread
//! (no hand-off to a task); receives are driven by tokio's readiness.
//!
//! Where the kernel offers UDP segmentation offload, runs of equal-sized
//! datagrams leave as one GSO message each (still one `sendmmsg` for the
//! whole batch) and bursts arrive GRO-coalesced; see [`super::segment`].
//! A kernel or device that refuses GSO turns it off for the socket and the
//! batch goes out datagram by datagram.

use std::io;
use std::net::{SocketAddr, UdpSocket as StdSocket};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use parking_lot::Mutex;
#[cfg(unix)]
use tokio::io::unix::AsyncFd;
#[cfg(not(unix))]
use tokio::{io::Interest, net::UdpSocket};

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
    /// Readiness of the same socket (a duplicate descriptor).
    #[cfg(unix)]
    ready: AsyncFd<StdSocket>,
    #[cfg(not(unix))]
    tokio: UdpSocket,
    shim: Option<Mutex<LossyLink>>,
    /// Sends use `UDP_SEGMENT` (cleared if the kernel refuses one).
    gso: AtomicBool,
}

/// Reused receive buffers.
pub struct RecvBatch {
    pub(crate) bufs: Vec<Vec<u8>>,
    pub(crate) lens: Vec<usize>,
    pub(crate) addrs: Vec<SocketAddr>,
    /// GRO segment size per buffer (0: one datagram).
    pub(crate) segments: Vec<usize>,
    /// Control-message space per buffer (u64 for `cmsghdr` alignment).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    control: Vec<[u64; 8]>,
}

impl RecvBatch {
    /// Buffers for [`RECV_BATCH`] datagrams of up to `max_datagram` bytes.
    pub fn new(max_datagram: usize) -> Self {
        let size = max_datagram.clamp(1, RECV_BUF);
        Self {
            bufs: (0..RECV_BATCH).map(|_| vec![0u8; size]).collect(),
            lens: vec![0; RECV_BATCH],
            addrs: vec![SocketAddr::from(([0, 0, 0, 0], 0)); RECV_BATCH],
            segments: vec![0; RECV_BATCH],
            control: vec![[0; 8]; RECV_BATCH],
        }
    }

    /// The datagrams of buffer `i` (more than one when GRO coalesced them).
    pub fn datagrams(&mut self, i: usize) -> impl Iterator<Item = &mut [u8]> {
        let (len, segment) = (self.lens[i], self.segments[i]);
        let mut rest = &mut self.bufs[i][..len];
        super::segment::gro_segments(len, segment).map(move |r| {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(r.len());
            rest = tail;
            head
        })
    }
}

impl Socket {
    /// Bind `addr` (non-blocking) on the current tokio runtime. With
    /// `offload`, turn on GSO and GRO where the kernel has them.
    pub fn bind(addr: SocketAddr, shim: Option<LossyLink>, offload: bool) -> io::Result<Self> {
        let std = StdSocket::bind(addr)?;
        std.set_nonblocking(true)?;
        sys::grow_buffers(&std);
        let gso = offload && sys::enable_offload(&std);
        #[cfg(unix)]
        // SAFETY: the duplicate descriptor is owned by the AsyncFd alone,
        // so it stays open and the same socket for the AsyncFd's lifetime.
        let ready = unsafe { AsyncFd::register_with_interest(std.try_clone()?, tokio::io::Interest::READABLE) }
            .map_err(|e| e.into_parts().1)?;
        #[cfg(not(unix))]
        let tokio = UdpSocket::from_std(std.try_clone()?)?;
        Ok(Self {
            std,
            #[cfg(unix)]
            ready,
            #[cfg(not(unix))]
            tokio,
            shim: shim.map(Mutex::new),
            gso: AtomicBool::new(gso),
        })
    }

    /// Whether sends currently use segmentation offload.
    #[cfg(test)]
    pub fn gso(&self) -> bool {
        self.gso.load(Relaxed)
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
            self.send(to, &out);
            return datagrams.len();
        }
        self.send(to, datagrams)
    }

    fn send(&self, to: SocketAddr, datagrams: &[Vec<u8>]) -> usize {
        if self.gso.load(Relaxed) {
            match sys::send_gso(&self.std, to, datagrams) {
                Ok(sent) => return sent,
                // Refused before anything left: never try GSO again here.
                Err(sent) => {
                    self.gso.store(false, Relaxed);
                    return sent + sys::send_many(&self.std, to, &datagrams[sent..]);
                }
            }
        }
        sys::send_many(&self.std, to, datagrams)
    }

    /// Wait for datagrams and take up to [`RECV_BATCH`] of them.
    ///
    /// A short batch means the receive queue was empty when the kernel
    /// returned it, so readiness is cleared there and then instead of by
    /// one more `recvmmsg` that would fail with `EWOULDBLOCK` (one system
    /// call saved per wake-up). Safe with tokio's edge-triggered epoll:
    /// every datagram queued later raises a new event, and tokio does not
    /// clear readiness an event newer than this guard has set.
    #[cfg(unix)]
    pub async fn recv_batch(&self, batch: &mut RecvBatch) -> io::Result<usize> {
        loop {
            let mut guard = self.ready.readable().await?;
            match sys::recv_many(&self.std, batch) {
                Ok(n) => {
                    if n < batch.bufs.len() {
                        guard.clear_ready();
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => guard.clear_ready(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // ICMP errors (port unreachable from an earlier send) surface
                // on the next receive; they are not this socket's failure.
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Wait for datagrams and take up to [`RECV_BATCH`] of them.
    #[cfg(not(unix))]
    pub async fn recv_batch(&self, batch: &mut RecvBatch) -> io::Result<usize> {
        loop {
            self.tokio.readable().await?;
            match self.tokio.try_io(Interest::READABLE, || sys::recv_many(&self.std, batch)) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(target_os = "linux")]
mod sys {
    use super::super::segment::{gso_runs, Run};
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

    /// `setsockopt` with an int value; true if the kernel took it.
    fn set_int(sock: &StdSocket, level: libc::c_int, opt: libc::c_int, value: libc::c_int) -> bool {
        // SAFETY: a valid fd, an int option value of the declared size.
        unsafe {
            libc::setsockopt(
                sock.as_raw_fd(),
                level,
                opt,
                &value as *const _ as *const libc::c_void,
                size_of::<libc::c_int>() as libc::socklen_t,
            ) == 0
        }
    }

    /// Ask for large kernel buffers (the kernel caps them at
    /// `net.core.{r,w}mem_max`): bursts of a full window then queue in the
    /// kernel instead of being dropped and retransmitted. Best effort.
    pub fn grow_buffers(sock: &StdSocket) {
        for opt in [libc::SO_RCVBUF, libc::SO_SNDBUF] {
            set_int(sock, libc::SOL_SOCKET, opt, SOCKET_BUFFER as libc::c_int);
        }
    }

    /// Turn on GRO (receive) and probe GSO (send); true if sends may use
    /// `UDP_SEGMENT`. A kernel without them refuses the options.
    pub fn enable_offload(sock: &StdSocket) -> bool {
        set_int(sock, libc::SOL_UDP, libc::UDP_GRO, 1);
        // Segment size 0 is the default ("no segmentation unless a send
        // asks"): setting it only tells us the option exists.
        set_int(sock, libc::SOL_UDP, libc::UDP_SEGMENT, 0)
    }

    /// Errors that mean "this socket or route cannot do GSO" rather than
    /// "the buffer is full": EIO (no checksum offload), EINVAL (checksums
    /// off), EMSGSIZE (a segment larger than the route's MTU), EOPNOTSUPP.
    fn gso_refused(err: &io::Error) -> bool {
        matches!(err.raw_os_error(), Some(libc::EIO | libc::EINVAL | libc::EMSGSIZE | libc::EOPNOTSUPP | libc::ENOPROTOOPT))
    }

    /// The per-send arrays `sendmmsg` needs, kept per thread so a send
    /// allocates nothing once they have grown to the largest batch seen.
    /// Emptied after every use: the raw pointers they held never outlive
    /// the call that made them.
    #[derive(Default)]
    struct Scratch {
        lens: Vec<usize>,
        runs: Vec<Run>,
        iovs: Vec<libc::iovec>,
        control: Vec<[u64; 4]>,
        msgs: Vec<libc::mmsghdr>,
    }

    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
    }

    /// Run `f` with this thread's scratch (a fresh one if it is in use).
    fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut s) => f(&mut s),
            Err(_) => f(&mut Scratch::default()),
        })
    }

    /// One `sendmmsg` slot per datagram; returns how many left (stops at
    /// the first one the kernel refuses).
    pub fn send_many(sock: &StdSocket, to: SocketAddr, datagrams: &[Vec<u8>]) -> usize {
        with_scratch(|s| {
            s.runs.clear();
            s.runs.extend(datagrams.iter().enumerate().map(|(start, d)| Run { start, count: 1, segment: d.len() }));
            send_runs(sock, to, datagrams, s).unwrap_or_else(|sent| sent)
        })
    }

    /// One GSO message per run of equal-sized datagrams, all in one
    /// `sendmmsg`. `Ok(sent)` as [`send_many`]; `Err(sent)` when the kernel
    /// refused a GSO message (the first `sent` datagrams left; the caller
    /// sends the rest without GSO).
    pub fn send_gso(sock: &StdSocket, to: SocketAddr, datagrams: &[Vec<u8>]) -> Result<usize, usize> {
        with_scratch(|s| {
            s.lens.clear();
            s.lens.extend(datagrams.iter().map(Vec::len));
            gso_runs(&s.lens, &mut s.runs);
            send_runs(sock, to, datagrams, s)
        })
    }

    /// Send `datagrams` grouped as `scratch.runs` (a run of more than one
    /// carries a `UDP_SEGMENT` control message). Loops over partial
    /// `sendmmsg`s (the kernel takes at most `UIO_MAXIOV` messages per
    /// call) and stops at the first message refused: `Err` if that was a
    /// GSO message refused for GSO's sake, else `Ok`, with the datagrams
    /// sent before it.
    fn send_runs(sock: &StdSocket, to: SocketAddr, datagrams: &[Vec<u8>], scratch: &mut Scratch) -> Result<usize, usize> {
        let Scratch { runs, iovs, control, msgs, .. } = scratch;
        let result = send_runs_with(sock, to, datagrams, runs, iovs, control, msgs);
        iovs.clear();
        msgs.clear();
        result
    }

    fn send_runs_with(
        sock: &StdSocket,
        to: SocketAddr,
        datagrams: &[Vec<u8>],
        runs: &[Run],
        iovs: &mut Vec<libc::iovec>,
        control: &mut Vec<[u64; 4]>,
        msgs: &mut Vec<libc::mmsghdr>,
    ) -> Result<usize, usize> {
        let (mut addr, addr_len) = to_raw(to);
        iovs.clear();
        iovs.extend(datagrams.iter().map(|d| libc::iovec { iov_base: d.as_ptr() as *mut _, iov_len: d.len() }));
        // One UDP_SEGMENT control message (a u16) per run; u64s for alignment.
        control.clear();
        control.resize(runs.len(), [0u64; 4]);
        // SAFETY: CMSG_SPACE is a pure size computation.
        let space = unsafe { libc::CMSG_SPACE(size_of::<u16>() as u32) } as usize;
        debug_assert!(space <= size_of::<[u64; 4]>());
        msgs.clear();
        for (run, ctrl) in runs.iter().zip(control.iter_mut()) {
            // SAFETY: msghdr is plain data; zero is "no control data, no flags".
            let mut h: libc::msghdr = unsafe { zeroed() };
            h.msg_name = &mut addr as *mut _ as *mut libc::c_void;
            h.msg_namelen = addr_len;
            h.msg_iov = iovs[run.start..].as_mut_ptr();
            h.msg_iovlen = run.count as _;
            if run.count > 1 {
                h.msg_control = ctrl.as_mut_ptr() as *mut libc::c_void;
                h.msg_controllen = space as _;
                // SAFETY: the header points at `ctrl`, which has room for one
                // cmsghdr plus a u16 (checked above); CMSG_FIRSTHDR is thus
                // non-null and CMSG_DATA lies inside `ctrl`. The data is
                // written unaligned, as the kernel's layout does not promise
                // u16 alignment to us.
                unsafe {
                    let c = libc::CMSG_FIRSTHDR(&h);
                    (*c).cmsg_level = libc::SOL_UDP;
                    (*c).cmsg_type = libc::UDP_SEGMENT;
                    (*c).cmsg_len = libc::CMSG_LEN(size_of::<u16>() as u32) as _;
                    std::ptr::write_unaligned(libc::CMSG_DATA(c) as *mut u16, run.segment as u16);
                }
            }
            msgs.push(libc::mmsghdr { msg_hdr: h, msg_len: 0 });
        }
        let (mut done, mut sent) = (0, 0);
        while done < msgs.len() {
            // SAFETY: every header points at live iovecs, buffers, control
            // data and the address, all outliving the call; the count
            // matches the slice.
            let n = unsafe {
                libc::sendmmsg(sock.as_raw_fd(), msgs[done..].as_mut_ptr(), (msgs.len() - done) as u32, 0)
            };
            if n <= 0 {
                let err = io::Error::last_os_error();
                if n < 0 && err.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                if n < 0 && runs[done].count > 1 && gso_refused(&err) {
                    return Err(sent);
                }
                return Ok(sent);
            }
            sent += runs[done..done + n as usize].iter().map(|r| r.count).sum::<usize>();
            done += n as usize;
        }
        Ok(sent)
    }

    /// The GRO segment size the kernel reported for a received message, or
    /// 0 when it was a single datagram.
    fn gro_segment(h: &libc::msghdr) -> usize {
        // SAFETY: `h` was filled by recvmmsg; msg_controllen bounds the
        // control data, which CMSG_FIRSTHDR/CMSG_NXTHDR walk within. The
        // value of a UDP_GRO message is an int, read unaligned.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(h);
            while !c.is_null() {
                if (*c).cmsg_level == libc::SOL_UDP && (*c).cmsg_type == libc::UDP_GRO {
                    let v = std::ptr::read_unaligned(libc::CMSG_DATA(c) as *const libc::c_int);
                    return v.max(0) as usize;
                }
                c = libc::CMSG_NXTHDR(h, c);
            }
        }
        0
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
            .zip(batch.control.iter_mut())
            .map(|((iov, name), ctrl)| {
                // SAFETY: plain data, see above.
                let mut h: libc::msghdr = unsafe { zeroed() };
                h.msg_name = name as *mut _ as *mut libc::c_void;
                h.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
                h.msg_iov = iov;
                h.msg_iovlen = 1;
                h.msg_control = ctrl.as_mut_ptr() as *mut libc::c_void;
                h.msg_controllen = size_of::<[u64; 8]>() as _;
                libc::mmsghdr { msg_hdr: h, msg_len: 0 }
            })
            .collect();
        // SAFETY: headers point at live buffers/names/control sized as declared.
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
            batch.segments[i] = gro_segment(&msgs[i].msg_hdr);
        }
        Ok(n)
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    use super::*;

    pub fn grow_buffers(_sock: &StdSocket) {}

    pub fn enable_offload(_sock: &StdSocket) -> bool {
        false
    }

    pub fn send_gso(sock: &StdSocket, to: SocketAddr, datagrams: &[Vec<u8>]) -> Result<usize, usize> {
        Ok(send_many(sock, to, datagrams))
    }

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
                    batch.segments[n] = 0;
                    n += 1;
                }
                Err(e) if n > 0 && e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distinct datagrams: five full ones and a shorter tail (one GSO run).
    fn burst() -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 1400]).collect();
        v.push(vec![0xEE; 333]);
        v
    }

    /// Receive until `want` datagrams arrived; also whether any buffer
    /// came GRO-coalesced.
    async fn collect(sock: &Socket, want: usize) -> (Vec<Vec<u8>>, bool) {
        let mut batch = RecvBatch::new(RECV_BUF);
        let (mut got, mut coalesced) = (Vec::new(), false);
        while got.len() < want {
            let n = tokio::time::timeout(std::time::Duration::from_secs(10), sock.recv_batch(&mut batch))
                .await
                .expect("datagrams arrive")
                .unwrap();
            for i in 0..n {
                coalesced |= batch.segments[i] > 0;
                got.extend(batch.datagrams(i).map(|d| d.to_vec()));
            }
        }
        (got, coalesced)
    }

    fn pair(send_offload: bool, recv_offload: bool) -> (Socket, Socket, SocketAddr) {
        let local = SocketAddr::from(([127, 0, 0, 1], 0));
        let a = Socket::bind(local, None, send_offload).unwrap();
        let b = Socket::bind(local, None, recv_offload).unwrap();
        let to = b.local_addr().unwrap();
        (a, b, to)
    }

    #[tokio::test]
    async fn a_gso_burst_arrives_as_the_same_datagrams() {
        for (send, recv) in [(true, true), (true, false), (false, true), (false, false)] {
            let (a, b, to) = pair(send, recv);
            assert_eq!(a.gso(), send && cfg!(target_os = "linux"), "loopback on Linux has GSO");
            assert_eq!(a.send_batch(to, &burst()), 6);
            let (got, coalesced) = collect(&b, 6).await;
            assert_eq!(got, burst(), "send offload {send}, receive offload {recv}");
            // Coalesced only when both ends asked for offload; every piece
            // is still one of the datagrams sent, never larger.
            assert_eq!(coalesced, send && recv && cfg!(target_os = "linux"));
        }
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_socket_that_refuses_gso_falls_back_to_plain_datagrams() {
        use std::os::fd::AsRawFd;
        let (a, b, to) = pair(true, true);
        // Checksums off: the kernel refuses every GSO send with EINVAL.
        let one: libc::c_int = 1;
        // SAFETY: a valid fd and an int option of the declared size.
        let rc = unsafe {
            libc::setsockopt(
                a.std.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_NO_CHECK,
                &one as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        assert_eq!(rc, 0);
        assert!(a.gso());
        assert_eq!(a.send_batch(to, &burst()), 6, "all sent after the fallback");
        assert!(!a.gso(), "GSO is off for this socket from now on");
        let (got, coalesced) = collect(&b, 6).await;
        assert_eq!(got, burst());
        assert!(!coalesced);
        assert_eq!(a.send_batch(to, &burst()), 6);
        assert_eq!(collect(&b, 6).await.0, burst());
    }
}
