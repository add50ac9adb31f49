//! Prints the RTP packets of a pcap capture, decoding the WebRTC header extensions, then a per-stream
//! summary (packets, sequence range, losses, bitrate).
//!
//! ```text
//! cargo run -p ortc-rtp-packet --example rtpdump -- CAPTURE.pcap [--sdp FILE.sdp] [--quiet]
//! ```
//!
//! Extension ids come from the `a=extmap` lines of the SDP; by default from `answer.sdp` beside the
//! capture, if there is one.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    missing_docs
)]

use ortc_test_support::pcap;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ortc_rtp_packet::{ExtensionMap, ExtensionValues, RtpPacket, SequenceUnwrapper};

/// What the summary shows for one SSRC.
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

struct Args {
    capture: String,
    sdp: Option<PathBuf>,
    quiet: bool,
}

fn parse_args() -> Option<Args> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let is_sdp = |a: &str| Path::new(a).extension().is_some_and(|e| e.eq_ignore_ascii_case("sdp"));
    let capture = args.iter().find(|a| !a.starts_with("--") && !is_sdp(a))?.clone();
    let sdp = args
        .iter()
        .position(|a| a == "--sdp")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .or_else(|| Some(Path::new(&capture).with_file_name("answer.sdp")).filter(|p| p.exists()));
    Some(Args {
        capture,
        sdp,
        quiet: args.iter().any(|a| a == "--quiet"),
    })
}

fn extension_map(sdp_path: Option<&Path>) -> ExtensionMap {
    let mut map = ExtensionMap::new();
    let Some(sdp_path) = sdp_path else { return map };
    match std::fs::read_to_string(sdp_path) {
        Ok(sdp) => {
            for (id, uri) in pcap::sdp_extmaps(&sdp).into_iter().flatten() {
                // URIs without a typed decoder are shown as "other".
                let _ = map.insert_uri(id, &uri);
            }
            println!("extension ids from {}: {map:?}", sdp_path.display());
        }
        Err(e) => eprintln!("{}: {e}", sdp_path.display()),
    }
    map
}

fn main() -> ExitCode {
    let Some(args) = parse_args() else {
        eprintln!("usage: rtpdump CAPTURE.pcap [--sdp FILE.sdp] [--quiet]");
        return ExitCode::from(2);
    };
    let map = extension_map(args.sdp.as_deref());
    let datagrams_file = match std::fs::read(&args.capture) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}: {e}", args.capture);
            return ExitCode::FAILURE;
        }
    };
    let datagrams = match pcap::udp_datagrams(&datagrams_file) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: {e}", args.capture);
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
        if !matches!(data.first(), Some(128..=191)) {
            other += 1;
            continue;
        }
        if !pcap::is_rtp(data) {
            rtcp += 1;
            if !args.quiet {
                println!("{t:9.6} {} > {} RTCP pt={} len={}", d.src, d.dst, data[1], data.len());
            }
            continue;
        }
        let p = match RtpPacket::parse(data) {
            Ok(p) => p,
            Err(e) => {
                errors += 1;
                println!("{t:9.6} {} > {} bad RTP: {e}", d.src, d.dst);
                continue;
            }
        };
        record(streams.entry(p.ssrc()).or_default(), &p, t);
        if !args.quiet {
            println!(
                "{t:9.6} {} > {} RTP pt={} ssrc={:#010x} seq={} ts={}{} payload={}{}",
                d.src,
                d.dst,
                p.payload_type(),
                p.ssrc(),
                p.sequence_number(),
                p.timestamp(),
                if p.marker() { " M" } else { "" },
                p.payload().len(),
                describe(&p, &map),
            );
        }
    }
    println!(
        "\n{} datagrams: {rtcp} RTCP, {other} other (STUN/DTLS/...), {errors} malformed RTP",
        datagrams.len()
    );
    print_summary(&streams);
    ExitCode::SUCCESS
}

fn record(s: &mut Stream, p: &RtpPacket<&[u8]>, t: f64) {
    let seq = s.seqs.unwrap(p.sequence_number());
    s.payload_type = p.payload_type();
    s.packets += 1;
    s.bytes += p.as_bytes().len() as u64;
    s.first_seq = Some(s.first_seq.map_or(seq, |f| f.min(seq)));
    s.max_seq = if s.packets == 1 { seq } else { s.max_seq.max(seq) };
    s.first_time.get_or_insert(t);
    s.last_time = t;
}

/// Padding and the decoded header extensions of a packet, as ` name=value` pairs.
fn describe(p: &RtpPacket<&[u8]>, map: &ExtensionMap) -> String {
    let mut out = String::new();
    if p.padding_len() > 0 {
        let _ = write!(out, " padding={}", p.padding_len());
    }
    let v = ExtensionValues::decode(p, map);
    if let Some(m) = v.mid {
        let _ = write!(out, " mid={}", m.0);
    }
    if let Some(r) = v.rid {
        let _ = write!(out, " rid={}", r.0);
    }
    if let Some(r) = v.repaired_rid {
        let _ = write!(out, " rrid={}", r.0);
    }
    if let Some(a) = v.abs_send_time {
        let _ = write!(out, " abs-send-time={:.6}s", a.to_duration().as_secs_f64());
    }
    if let Some(tcc) = v.transport_seq {
        let _ = write!(out, " twcc={}", tcc.0);
    }
    if let Some(a) = v.audio_level {
        let _ = write!(out, " level=-{}dBov{}", a.level, if a.voice { " voice" } else { "" });
    }
    if let Some(o) = v.video_orientation {
        let _ = write!(out, " rotation={}", o.degrees());
    }
    if let Some(pd) = v.playout_delay {
        let _ = write!(out, " playout-delay={}..{}ms", pd.min * 10, pd.max * 10);
    }
    let unknown = p.extensions().filter(|e| map.kind_of(e.id).is_none()).count();
    if unknown > 0 {
        let _ = write!(out, " +{unknown} other ext");
    }
    out
}

fn print_summary(streams: &BTreeMap<u32, Stream>) {
    println!(
        "{:>12} {:>4} {:>8} {:>14} {:>6} {:>10}",
        "ssrc", "pt", "packets", "seq range", "lost", "kbit/s"
    );
    for (ssrc, s) in streams {
        let first = s.first_seq.unwrap_or(0);
        let lost = s.max_seq - first + 1 - s.packets.cast_signed();
        let secs = s.last_time - s.first_time.unwrap_or(0.0);
        let kbps = if secs > 0.0 {
            s.bytes as f64 * 8.0 / secs / 1000.0
        } else {
            0.0
        };
        let range = format!("{first}..={}", s.max_seq);
        println!(
            "{ssrc:#12x} {:>4} {:>8} {range:>14} {lost:>6} {kbps:>10.1}",
            s.payload_type, s.packets
        );
    }
}
