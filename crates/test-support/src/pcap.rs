//! A minimal reader for classic libpcap files holding UDP over IPv4/IPv6, for tests and examples.
//!
//! Link types: 0 (BSD loopback), 1 (Ethernet), 101 (raw IP), 113 (Linux cooked), 276 (Linux cooked v2).
//! Non-UDP records are skipped.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// One UDP datagram from a capture.
#[derive(Debug, Clone, Copy)]
pub struct Datagram<'a> {
    /// Capture time since the epoch.
    pub time: Duration,
    /// UDP source.
    pub src: SocketAddr,
    /// UDP destination.
    pub dst: SocketAddr,
    /// UDP payload.
    pub payload: &'a [u8],
}

/// Reads every UDP datagram of a pcap file; `Err` with a reason when the file is not one this reader knows.
pub fn udp_datagrams(file: &[u8]) -> Result<Vec<Datagram<'_>>, String> {
    let header = file.get(..24).ok_or("pcap: no global header")?;
    let magic = [header[0], header[1], header[2], header[3]];
    let (big, nanos) = match magic {
        [0xa1, 0xb2, 0xc3, 0xd4] => (true, false),
        [0xd4, 0xc3, 0xb2, 0xa1] => (false, false),
        [0xa1, 0xb2, 0x3c, 0x4d] => (true, true),
        [0x4d, 0x3c, 0xb2, 0xa1] => (false, true),
        _ => return Err(format!("pcap: bad magic {magic:02x?}")),
    };
    let u32_at = |b: &[u8], at: usize| {
        let w = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if big {
            u32::from_be_bytes(w)
        } else {
            u32::from_le_bytes(w)
        }
    };
    let link = u32_at(header, 20);
    let mut out = Vec::new();
    let mut pos = 24;
    while pos < file.len() {
        let rec = file.get(pos..pos + 16).ok_or("pcap: truncated record header")?;
        let (secs, frac, incl) = (u32_at(rec, 0), u32_at(rec, 4), u32_at(rec, 8) as usize);
        let data = file.get(pos + 16..pos + 16 + incl).ok_or("pcap: truncated record")?;
        pos += 16 + incl;
        let time = Duration::new(secs.into(), if nanos { frac } else { frac.saturating_mul(1000) });
        let ip = match link {
            0 => data.get(4..),
            1 => ethernet_payload(data),
            101 => Some(data),
            113 => data.get(16..),
            276 => data.get(20..),
            other => return Err(format!("pcap: unsupported link type {other}")),
        };
        if let Some(d) = ip.and_then(|ip| udp(ip, time)) {
            out.push(d);
        }
    }
    Ok(out)
}

fn ethernet_payload(frame: &[u8]) -> Option<&[u8]> {
    let ethertype = u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]);
    match ethertype {
        0x0800 | 0x86DD => frame.get(14..),
        _ => None,
    }
}

fn udp(ip: &[u8], time: Duration) -> Option<Datagram<'_>> {
    let (src, dst, l4) = match ip.first()? >> 4 {
        4 => {
            let ihl = (ip[0] & 0x0F) as usize * 4;
            if *ip.get(9)? != 17 {
                return None;
            }
            let total = (u16::from_be_bytes([*ip.get(2)?, *ip.get(3)?]) as usize).min(ip.len());
            let a = |at: usize| Some(IpAddr::V4(Ipv4Addr::new(ip[at], ip[at + 1], ip[at + 2], ip[at + 3])));
            (a(12)?, a(16)?, ip.get(ihl..total)?)
        }
        6 => {
            if *ip.get(6)? != 17 {
                return None;
            }
            let addr = |at: usize| -> Option<IpAddr> {
                let b: [u8; 16] = ip.get(at..at + 16)?.try_into().ok()?;
                Some(IpAddr::V6(Ipv6Addr::from(b)))
            };
            let len = u16::from_be_bytes([*ip.get(4)?, *ip.get(5)?]) as usize;
            (addr(8)?, addr(24)?, ip.get(40..(40 + len).min(ip.len()))?)
        }
        _ => return None,
    };
    let sport = u16::from_be_bytes([*l4.first()?, *l4.get(1)?]);
    let dport = u16::from_be_bytes([*l4.get(2)?, *l4.get(3)?]);
    let ulen = (u16::from_be_bytes([*l4.get(4)?, *l4.get(5)?]) as usize).clamp(8, l4.len());
    Some(Datagram {
        time,
        src: SocketAddr::new(src, sport),
        dst: SocketAddr::new(dst, dport),
        payload: l4.get(8..ulen)?,
    })
}

/// True for an RTP (not RTCP) packet under RFC 5761/7983 demultiplexing.
pub fn is_rtp(d: &[u8]) -> bool {
    d.len() >= 12 && (128..=191).contains(&d[0]) && !(192..=223).contains(&d[1])
}

/// `a=extmap:ID URI` lines of an SDP, per media section (in order).
pub fn sdp_extmaps(sdp: &str) -> Vec<Vec<(u8, String)>> {
    let mut sections: Vec<Vec<(u8, String)>> = Vec::new();
    for line in sdp.lines() {
        if line.starts_with("m=") {
            sections.push(Vec::new());
        } else if let (Some(rest), Some(cur)) = (line.strip_prefix("a=extmap:"), sections.last_mut()) {
            let mut parts = rest.split_whitespace();
            let id = parts.next().and_then(|id| id.split('/').next()?.parse().ok());
            if let (Some(id), Some(uri)) = (id, parts.next()) {
                cur.push((id, uri.to_owned()));
            }
        }
    }
    sections
}
