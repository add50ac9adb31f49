//! Prints the RTP packets of a pcap capture, decoding the WebRTC header extensions, then a per-stream
//! summary (packets, sequence range, losses, bitrate).
//!
//! ```text
//! cargo run -p ortc-rtp-packet --example rtpdump -- CAPTURE.pcap [--sdp FILE.sdp] [--quiet]
//! ```
//!
//! Extension ids come from the `a=extmap` lines of the SDP; by default from `answer.sdp` beside the
//! capture, if there is one.
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

#[path = "../tests/common/pcap.rs"]
#[allow(unreachable_pub, dead_code)]
mod pcap;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ortc_rtp_packet::{ExtensionMap, ExtensionValues, RtpPacket, SequenceUnwrapper};

#[derive(Default)]
struct Stream {
    payload_type: u8,
    packets: u64,
    bytes: u64,
    first_seq: Option<i64>,
    max_seq: i64,
    seqs: SequenceUnwrapper,
    first_time: Option<f64>,
    last_time: f64,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(capture) = args.iter().find(|a| !a.starts_with("--") && !a.ends_with(".sdp")) else {
        eprintln!("usage: rtpdump CAPTURE.pcap [--sdp FILE.sdp] [--quiet]");
        return ExitCode::from(2);
    };
    let quiet = args.iter().any(|a| a == "--quiet");
    let sdp_path = args
        .iter()
        .position(|a| a == "--sdp")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .or_else(|| Some(Path::new(capture).with_file_name("answer.sdp")).filter(|p| p.exists()));

    let mut map = ExtensionMap::new();
    if let Some(sdp_path) = &sdp_path {
        match std::fs::read_to_string(sdp_path) {
            Ok(sdp) => {
                for (id, uri) in pcap::sdp_extmaps(&sdp).into_iter().flatten() {
                    let _ = map.insert_uri(id, &uri);
                }
                println!("extension ids from {}: {map:?}", sdp_path.display());
            }
            Err(e) => eprintln!("{}: {e}", sdp_path.display()),
        }
    }

    let file = match std::fs::read(capture) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{capture}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let datagrams = match pcap::udp_datagrams(&file) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{capture}: {e}");
            return ExitCode::FAILURE;
        }
    };

    let mut streams: BTreeMap<u32, Stream> = BTreeMap::new();
    let (mut rtcp, mut other, mut errors) = (0u64, 0u64, 0u64);
    let t0 = datagrams.first().map_or(0.0, |d| d.time.as_secs_f64());
    for d in &datagrams {
        let t = d.time.as_secs_f64() - t0;
        let data = d.payload;
        // RFC 7983 demultiplexing by the first byte, then RFC 5761 for RTP vs RTCP.
        match data.first() {
            Some(128..=191) if !pcap::is_rtp(data) => {
                rtcp += 1;
                if !quiet {
                    println!("{t:9.6} {} > {} RTCP pt={} len={}", d.src, d.dst, data[1], data.len());
                }
                continue;
            }
            Some(128..=191) => {}
            _ => {
                other += 1;
                continue;
            }
        }
        let p = match RtpPacket::parse(data) {
            Ok(p) => p,
            Err(e) => {
                errors += 1;
                println!("{t:9.6} {} > {} bad RTP: {e}", d.src, d.dst);
                continue;
            }
        };
        let s = streams.entry(p.ssrc()).or_default();
        let seq = s.seqs.unwrap(p.sequence_number());
        s.payload_type = p.payload_type();
        s.packets += 1;
        s.bytes += data.len() as u64;
        s.first_seq = Some(s.first_seq.map_or(seq, |f| f.min(seq)));
        s.max_seq = if s.packets == 1 { seq } else { s.max_seq.max(seq) };
        s.first_time.get_or_insert(t);
        s.last_time = t;
        if !quiet {
            let v = ExtensionValues::decode(&p, &map);
            let mut ext = String::new();
            if let Some(m) = v.mid {
                ext += &format!(" mid={}", m.0);
            }
            if let Some(r) = v.rid {
                ext += &format!(" rid={}", r.0);
            }
            if let Some(r) = v.repaired_rid {
                ext += &format!(" rrid={}", r.0);
            }
            if let Some(a) = v.abs_send_time {
                ext += &format!(" abs-send-time={:.6}s", a.to_duration().as_secs_f64());
            }
            if let Some(tcc) = v.transport_seq {
                ext += &format!(" twcc={}", tcc.0);
            }
            if let Some(a) = v.audio_level {
                ext += &format!(" level=-{}dBov{}", a.level, if a.voice { " voice" } else { "" });
            }
            if let Some(o) = v.video_orientation {
                ext += &format!(" rotation={}", o.degrees());
            }
            if let Some(pd) = v.playout_delay {
                ext += &format!(" playout-delay={}..{}ms", pd.min * 10, pd.max * 10);
            }
            let unknown = p.extensions().filter(|e| map.kind_of(e.id).is_none()).count();
            if unknown > 0 {
                ext += &format!(" +{unknown} other ext");
            }
            println!(
                "{t:9.6} {} > {} RTP pt={} ssrc={:#010x} seq={} ts={}{} payload={}{}{ext}",
                d.src,
                d.dst,
                p.payload_type(),
                p.ssrc(),
                p.sequence_number(),
                p.timestamp(),
                if p.marker() { " M" } else { "" },
                p.payload().len(),
                if p.padding_len() > 0 {
                    format!(" padding={}", p.padding_len())
                } else {
                    String::new()
                },
            );
        }
    }

    println!(
        "\n{} datagrams: {rtcp} RTCP, {other} other (STUN/DTLS/...), {errors} malformed RTP",
        datagrams.len()
    );
    println!(
        "{:>12} {:>4} {:>8} {:>14} {:>6} {:>10}",
        "ssrc", "pt", "packets", "seq range", "lost", "kbit/s"
    );
    for (ssrc, s) in &streams {
        let first = s.first_seq.unwrap_or(0);
        let expected = s.max_seq - first + 1;
        let lost = expected - s.packets.cast_signed();
        let secs = s.last_time - s.first_time.unwrap_or(0.0);
        let kbps = if secs > 0.0 {
            s.bytes as f64 * 8.0 / secs / 1000.0
        } else {
            0.0
        };
        println!(
            "{ssrc:#12x} {:>4} {:>8} {:>14} {lost:>6} {kbps:>10.1}",
            s.payload_type,
            s.packets,
            format!("{first}..={}", s.max_seq),
        );
    }
    ExitCode::SUCCESS
}
