//! Host addresses to make candidates from: the one place this crate asks the system anything.
#![allow(unsafe_code)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Addresses of the local interfaces that are up, to gather host candidates on (the agent itself opens no
/// sockets and enumerates nothing).
///
/// With `loopback_only`, only loopback addresses (`127.0.0.1` at least), for tests and loopback interop.
/// Otherwise loopback and IPv6 link-local addresses are left out, as RFC 8445 §5.1.1.1 recommends.
pub fn host_addresses(loopback_only: bool) -> Vec<IpAddr> {
    let mut out = Vec::new();
    for ip in interface_addresses() {
        let keep = if loopback_only {
            ip.is_loopback()
        } else {
            !ip.is_loopback() && !matches!(ip, IpAddr::V6(v6) if v6.is_unicast_link_local())
        };
        if keep && !out.contains(&ip) {
            out.push(ip);
        }
    }
    if loopback_only && !out.contains(&IpAddr::V4(Ipv4Addr::LOCALHOST)) {
        out.insert(0, IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    out
}

/// Every address of every interface that is up, from `getifaddrs(3)`.
fn interface_addresses() -> Vec<IpAddr> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: `getifaddrs` writes a list head into `head` on success; we free it below with `freeifaddrs`.
    if unsafe { libc::getifaddrs(&raw mut head) } != 0 {
        return out;
    }
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: `cur` is a node of the list `getifaddrs` returned, which stays valid until `freeifaddrs`.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_addr.is_null() || ifa.ifa_flags & (libc::IFF_UP as libc::c_uint) == 0 {
            continue;
        }
        // SAFETY: `ifa_addr` is non-null and points to a sockaddr whose family says which struct it is.
        let family = i32::from(unsafe { (*ifa.ifa_addr).sa_family });
        if family == libc::AF_INET {
            // SAFETY: the family is AF_INET, so the sockaddr is a sockaddr_in.
            let sin = unsafe { ifa.ifa_addr.cast::<libc::sockaddr_in>().read_unaligned() };
            out.push(IpAddr::V4(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr))));
        } else if family == libc::AF_INET6 {
            // SAFETY: the family is AF_INET6, so the sockaddr is a sockaddr_in6.
            let sin6 = unsafe { ifa.ifa_addr.cast::<libc::sockaddr_in6>().read_unaligned() };
            out.push(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)));
        }
    }
    // SAFETY: `head` came from a successful `getifaddrs` and is freed once.
    unsafe { libc::freeifaddrs(head) };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_only() {
        let loopback = host_addresses(true);
        assert!(loopback.contains(&IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(loopback.iter().all(IpAddr::is_loopback));
        assert!(host_addresses(false).iter().all(|ip| !ip.is_loopback()));
    }
}
