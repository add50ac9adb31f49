//! Real traffic: every VP8 packet of the Chromium and aiortc captures (`fixtures/`) through the VP8
//! depayloader, frame boundaries checked against the packets, frames re-payloaded and depayloaded again;
//! the peers' VP8, Opus and (Chromium's) H.264 streams decoded.
#![allow(clippy::unwrap_used)]

use ortc_test_support::pcap;

use std::collections::BTreeMap;
use std::path::PathBuf;

use ortc_codecs::vp8::{Vp8Depayloader, Vp8Descriptor, Vp8Payloader};
use ortc_codecs::{DEFAULT_MAX_PAYLOAD, Depayloader, FrameBoundary, PayloadPacket, Payloader, Payloads};
use ortc_rtp_packet::RtpPacket;

const CHROMIUM_VP8_SSRC: u32 = 863_522_092;
const DROPPED: [u16; 3] = [26838, 26878, 26918];

fn fixture(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// (timestamp, marker, payload, SSRC) of RTP packets, keyed by sequence number.
type Stream = BTreeMap<u16, (u32, bool, Vec<u8>, u32)>;

/// Every RTP packet with `pt`.
fn packets(file: &[u8], pt: u8) -> Stream {
    let mut out = BTreeMap::new();
    for d in pcap::udp_datagrams(file).unwrap() {
        if !pcap::is_rtp(d.payload) {
            continue;
        }
        let p = RtpPacket::parse(d.payload).unwrap();
        if p.payload_type() == pt {
            out.insert(
                p.sequence_number(),
                (p.timestamp(), p.marker(), p.payload().to_vec(), p.ssrc()),
            );
        }
    }
    out
}

/// `received` with the gaps filled by the RTX packets (`rtx_pt`: original sequence number + original
/// payload) of the capture, as a receiver would have them; padding-only RTX packets are left out.
fn with_rtx_repairs(file: &[u8], received: &Stream, rtx_pt: u8) -> Stream {
    let ssrc = received.values().next().expect("media packets").3;
    let mut repaired = received.clone();
    for (_, (ts, marker, p, _)) in packets(file, rtx_pt) {
        if p.len() >= 3 {
            let osn = u16::from_be_bytes([p[0], p[1]]);
            repaired.entry(osn).or_insert((ts, marker, p[2..].to_vec(), ssrc));
        }
    }
    repaired
}

struct Outcome {
    /// (timestamp, frame, keyframe), a frame closed late (`previous`) before the one closed on time.
    frames: Vec<(u32, Vec<u8>, bool)>,
    incomplete: Vec<u32>,
}

fn depayload(d: &mut dyn Depayloader, stream: &Stream) -> Outcome {
    let mut out = Outcome {
        frames: Vec::new(),
        incomplete: Vec::new(),
    };
    for (&seq, (ts, marker, payload, _)) in stream {
        let r = d
            .push(PayloadPacket {
                sequence_number: seq,
                timestamp: *ts,
                marker: *marker,
                payload,
            })
            .unwrap();
        out.incomplete.extend(r.incomplete.map(|i| i.timestamp));
        let completed = r.frame.map(|f| f.data.to_vec());
        for f in r.previous.into_iter().chain(r.frame) {
            out.frames.push((f.timestamp, f.data.to_vec(), f.keyframe));
        }
        // The frame just completed can be read again, uncopied, until the next push.
        if let Some(data) = completed {
            assert_eq!(d.last_frame(), Some(&data[..]), "the frame at {seq}");
        }
    }
    out
}

#[test]
fn chromium_vp8_frames() {
    let file = fixture("chromium/plain.pcap");
    let vp8 = packets(&file, 96);
    assert_eq!(vp8.len(), 130);
    assert!(vp8.values().all(|p| p.3 == CHROMIUM_VP8_SSRC));
    let (first, last) = (*vp8.keys().next().unwrap(), *vp8.keys().last().unwrap());
    assert!(last - first < 1000, "no wrap in the capture");
    for seq in DROPPED {
        assert!(!vp8.contains_key(&seq));
    }
    assert_eq!(
        usize::from(last - first) + 1,
        vp8.len() + DROPPED.len(),
        "only the three drops are missing"
    );

    // frame boundaries: S + PID 0 opens a timestamp, the marker closes it
    let boundary = Vp8Depayloader::new();
    let mut by_ts: BTreeMap<u32, Vec<u16>> = BTreeMap::new();
    for (&seq, (ts, marker, payload, _)) in &vp8 {
        by_ts.entry(*ts).or_default().push(seq);
        let b = boundary.boundary(payload, *marker).unwrap();
        let desc = Vp8Descriptor::parse(payload).unwrap();
        assert_eq!(b.frame_start, desc.start_of_partition && desc.partition_id == 0);
        assert!(desc.picture_id.is_some(), "Chromium always sends a picture id");
    }
    // a frame is whole when no dropped sequence number falls between its first and last packet or next to
    // its open ends
    let mut expect_complete = Vec::new();
    let mut expect_incomplete = Vec::new();
    for (ts, seqs) in &by_ts {
        let (lo, hi) = (seqs[0], *seqs.last().unwrap());
        let starts = boundary.boundary(&vp8[&lo].2, vp8[&lo].1).unwrap().frame_start;
        let ends = vp8[&hi].1;
        let contiguous = usize::from(hi - lo) + 1 == seqs.len();
        if starts && ends && contiguous {
            expect_complete.push(*ts);
        } else {
            expect_incomplete.push(*ts);
        }
        // boundaries are consistent: only the first packet of a timestamp starts it, only the last ends it
        for s in seqs {
            let (_, m, p, _) = &vp8[s];
            let b = boundary.boundary(p, *m).unwrap();
            assert!(!b.frame_start || *s == lo, "start flag inside frame ts {ts}");
            assert!(!b.frame_end || *s == hi, "marker inside frame ts {ts}");
        }
    }
    assert_eq!(expect_incomplete.len(), DROPPED.len(), "each drop breaks one frame");
    // 80 frames; 26838 and 26878 were the marker packets of two-packet frames, 26918 the first packet of one
    assert_eq!(by_ts.len(), 80);

    let out = depayload(&mut Vp8Depayloader::new(), &vp8);
    let got: Vec<u32> = out.frames.iter().map(|f| f.0).collect();
    assert_eq!(got, expect_complete);
    assert_eq!(out.incomplete, expect_incomplete);
    assert!(out.frames[0].2, "the first frame is a keyframe");
    assert_eq!(out.frames.iter().filter(|f| f.2).count(), 1, "one keyframe in 4 s");
    for (_, data, key) in &out.frames {
        // VP8 frame tag (RFC 6386 §9.1): a keyframe has the start code 9d 01 2a after the 3-byte tag
        assert_eq!(*key, data[0] & 1 == 0);
        if *key {
            assert_eq!(&data[3..6], &[0x9d, 0x01, 0x2a]);
        }
        // first_part_size fits the frame
        let tag = u32::from(data[0]) | u32::from(data[1]) << 8 | u32::from(data[2]) << 16;
        assert!((tag >> 5) as usize <= data.len());
    }

    // RTX repairs (PT 97: OSN + original payload) fill the drops: then every frame is whole
    let repaired = with_rtx_repairs(&file, &vp8, 97);
    assert_eq!(repaired.len(), vp8.len() + DROPPED.len());
    let whole = depayload(&mut Vp8Depayloader::new(), &repaired);
    assert!(whole.incomplete.is_empty());
    assert_eq!(whole.frames.len(), by_ts.len());
}

#[test]
fn vp8_frames_survive_repayloading() {
    for (fixture_path, pt) in [("chromium/plain.pcap", 96), ("aiortc/plain.pcap", 97)] {
        let vp8 = packets(&fixture(fixture_path), pt);
        let frames = depayload(&mut Vp8Depayloader::new(), &vp8).frames;
        assert!(!frames.is_empty());
        let mut payloader = Vp8Payloader::with_picture_id(0x7F00);
        let mut payloads = Payloads::new();
        let mut seq = 65_000u16;
        for budget in [DEFAULT_MAX_PAYLOAD, 300] {
            let mut d = Vp8Depayloader::new();
            for (ts, data, key) in &frames {
                payloader.payload(data, budget, &mut payloads).unwrap();
                let mut back = None;
                for p in payloads.iter() {
                    assert!(p.data.len() <= budget);
                    let r = d
                        .push(PayloadPacket {
                            sequence_number: seq,
                            timestamp: *ts,
                            marker: p.marker,
                            payload: p.data,
                        })
                        .unwrap();
                    seq = seq.wrapping_add(1);
                    assert!(r.incomplete.is_none());
                    if let Some(f) = r.frame {
                        back = Some((f.data.to_vec(), f.keyframe));
                    }
                }
                assert_eq!(back.as_ref(), Some(&(data.clone(), *key)), "{fixture_path} ts {ts}");
            }
        }
    }
}

/// The Chromium and aiortc streams of the captures decode with our libopus and libvpx wrappers, and what
/// comes out is what those peers send: Chromium's fake camera (640×480, brightness ramping frame by frame)
/// and fake microphone (a beep every half second); aiortc's all-zero 640×480 frames and silence.
#[cfg(all(feature = "opus", feature = "vpx"))]
mod decode {
    use std::collections::BTreeMap;

    use super::{Stream, depayload, fixture, packets, with_rtx_repairs};
    use ortc_codecs::opus::OpusDecoder;
    use ortc_codecs::vp8::Vp8Depayloader;
    use ortc_codecs::vpx::{VpxCodec, VpxDecoder};
    use ortc_codecs::{AudioDecoder, AudioFrame, VideoDecoder, VideoFrame};

    fn by_ssrc(all: Stream) -> BTreeMap<u32, Stream> {
        let mut out: BTreeMap<u32, Stream> = BTreeMap::new();
        for (seq, p) in all {
            out.entry(p.3).or_default().insert(seq, p);
        }
        out
    }

    /// Decodes every frame of a VP8 stream; returns the mean luma of each picture.
    fn decode_vp8(stream: &Stream) -> Vec<u64> {
        let frames = depayload(&mut Vp8Depayloader::new(), stream).frames;
        assert!(!frames.is_empty());
        let mut dec = VpxDecoder::new(VpxCodec::Vp8).unwrap();
        let mut picture = VideoFrame::default();
        frames
            .iter()
            .map(|(ts, data, _)| {
                assert!(
                    dec.decode(data, *ts, &mut picture).unwrap(),
                    "frame {ts} gave no picture"
                );
                assert_eq!((picture.width, picture.height), (640, 480));
                picture.y.iter().map(|&v| u64::from(v)).sum::<u64>() / picture.y.len() as u64
            })
            .collect()
    }

    /// Decodes every Opus packet of a stream; returns each packet's peak magnitude.
    fn decode_opus(stream: &Stream) -> Vec<u16> {
        let mut dec = OpusDecoder::new(48_000, 2).unwrap();
        let mut out = AudioFrame::default();
        stream
            .values()
            .map(|(_, _, payload, _)| {
                dec.decode(payload, &mut out).unwrap();
                assert_eq!(out.samples_per_channel(), 960, "20 ms packets");
                out.samples.iter().map(|s| s.unsigned_abs()).max().unwrap()
            })
            .collect()
    }

    #[test]
    fn chromium_streams_decode() {
        let file = fixture("chromium/plain.pcap");
        // the three dropped packets come back from the RTX repairs, as a receiver would have them
        let vp8 = with_rtx_repairs(&file, &packets(&file, 96), 97);
        let luma = decode_vp8(&vp8);
        assert_eq!(luma.len(), 80);
        // the fake camera's brightness climbs a little each frame and falls back every ~12 frames
        let (mut climbs, mut falls) = (0, 0);
        for pair in luma.windows(2) {
            match pair[1].cast_signed() - pair[0].cast_signed() {
                1..=6 => climbs += 1,
                d if d <= -20 => falls += 1,
                d => panic!("luma step {d} in {luma:?}"),
            }
        }
        assert!(
            climbs > 60 && (5..=8).contains(&falls),
            "{climbs} climbs, {falls} falls"
        );

        let peaks = decode_opus(&packets(&file, 111));
        assert_eq!(peaks.len(), 200);
        // beeps: loud packets whose quiet predecessor marks a beep's start, half a second (25 packets) apart
        let starts: Vec<usize> = (1..peaks.len())
            .filter(|&i| peaks[i] > 20_000 && peaks[i - 1] < 5000)
            .collect();
        assert!(starts.len() >= 6, "beeps at {starts:?}");
        assert!(
            starts.windows(2).all(|w| (24..=26).contains(&(w[1] - w[0]))),
            "beeps at {starts:?}"
        );
        assert!(
            peaks.iter().filter(|&&p| p < 100).count() > 100,
            "mostly quiet between beeps"
        );
    }

    #[test]
    fn aiortc_streams_decode() {
        let file = fixture("aiortc/plain.pcap");
        let video = by_ssrc(packets(&file, 97));
        assert_eq!(video.len(), 2, "one VP8 stream each way");
        for stream in video.values() {
            let luma = decode_vp8(stream);
            assert_eq!(luma.len(), stream.len(), "one packet per frame");
            assert!(luma.iter().all(|&y| y <= 2), "aiortc sends all-zero planes: {luma:?}");
        }
        let audio = by_ssrc(packets(&file, 96));
        assert_eq!(audio.len(), 2, "one Opus stream each way");
        for stream in audio.values() {
            assert!(decode_opus(stream).iter().all(|&p| p == 0), "aiortc sends silence");
        }
    }
}

/// Chromium's H.264 (its OpenH264 encoder, packetization-mode 1, `fixtures/chromium-h264`) through our
/// depayloader, re-payloaded by ours, and decoded by our OpenH264 wrapper.
#[cfg(feature = "h264")]
mod chromium_h264 {
    use super::{depayload, fixture, packets, with_rtx_repairs};
    use ortc_codecs::h264::{H264Depayloader, H264Payloader, NAL_FU_A, NAL_STAP_A, PacketizationMode, annex_b_nals};
    use ortc_codecs::openh264::H264Decoder;
    use ortc_codecs::{DEFAULT_MAX_PAYLOAD, Depayloader, PayloadPacket, Payloader, Payloads, VideoDecoder, VideoFrame};

    const H264_PT: u8 = 102;
    const RTX_PT: u8 = 103;

    #[test]
    fn chromium_h264_depayloads_repayloads_and_decodes() {
        let file = fixture("chromium-h264/plain.pcap");
        let received = packets(&file, H264_PT);
        assert_eq!(received.len(), 126);
        // Chromium packs SPS + PPS in a STAP-A, splits the IDR into FU-As, sends small slices whole
        let kinds: Vec<u8> = received.values().map(|p| p.2[0] & 0x1F).collect();
        for kind in [NAL_STAP_A, NAL_FU_A, 1] {
            assert!(kinds.contains(&kind), "no NAL type {kind} in {kinds:?}");
        }
        // every 40th packet was dropped before decryption: each drop leaves one frame incomplete
        let incomplete = depayload(&mut H264Depayloader::new(), &received).incomplete;
        assert_eq!(incomplete.len(), 3);

        // with the RTX repairs (OSN + original payload) every frame is whole
        let repaired = with_rtx_repairs(&file, &received, RTX_PT);
        assert_eq!(repaired.len(), 129);
        let super::Outcome { frames, incomplete } = depayload(&mut H264Depayloader::new(), &repaired);
        assert!(incomplete.is_empty());
        assert_eq!(frames.len(), 72, "Chromium reported 72 frames encoded");
        assert!(frames[0].2, "the stream starts with an IDR");
        assert_eq!(frames.iter().filter(|f| f.2).count(), 1);
        let first: Vec<u8> = annex_b_nals(&frames[0].1).map(|n| n[0] & 0x1F).collect();
        assert_eq!(first, [7, 8, 5], "SPS, PPS, IDR");

        let mut dec = H264Decoder::new().unwrap();
        let mut picture = VideoFrame::default();
        let mut pay = H264Payloader::new(PacketizationMode::NonInterleaved);
        let mut again = H264Depayloader::new();
        let (mut payloads, mut seq) = (Payloads::new(), 0u16);
        let mut luma = Vec::new();
        for (ts, au, key) in &frames {
            assert!(dec.decode(au, *ts, &mut picture).unwrap(), "frame {ts} gave no picture");
            assert_eq!((picture.width, picture.height), (640, 480));
            luma.push(picture.y.iter().map(|&v| u64::from(v)).sum::<u64>() / picture.y.len() as u64);
            // our payloader and depayloader carry Chromium's access units unchanged
            pay.payload(au, DEFAULT_MAX_PAYLOAD, &mut payloads).unwrap();
            let mut back = None;
            for p in payloads.iter() {
                let r = again
                    .push(PayloadPacket {
                        sequence_number: seq,
                        timestamp: *ts,
                        marker: p.marker,
                        payload: p.data,
                    })
                    .unwrap();
                seq = seq.wrapping_add(1);
                back = r.frame.map(|f| (f.data.to_vec(), f.keyframe)).or(back);
            }
            assert_eq!(back.as_ref(), Some(&(au.clone(), *key)), "ts {ts}");
        }
        // Chromium's fake camera: brightness climbing frame by frame, falling back now and then
        let falls = luma.windows(2).filter(|w| w[1] + 15 < w[0]).count();
        let climbs = luma.windows(2).filter(|w| w[1] > w[0]).count();
        assert!(
            climbs > 50 && (4..=8).contains(&falls),
            "{climbs} climbs, {falls} falls: {luma:?}"
        );
    }
}

/// Chromium's VP9 with two spatial and three temporal layers (`L2T3_KEY`, flexible mode,
/// `fixtures/chromium-vp9-svc`) through our depayloader and decoded by our libvpx wrapper at the top
/// layer's size.
#[cfg(feature = "vpx")]
mod chromium_vp9_svc {
    use std::collections::BTreeSet;

    use super::{depayload, fixture, packets, with_rtx_repairs};
    use ortc_codecs::vp9::{Vp9Depayloader, Vp9Descriptor};
    use ortc_codecs::vpx::{VpxCodec, VpxDecoder};
    use ortc_codecs::{VideoDecoder, VideoFrame};

    const VP9_PT: u8 = 98;
    const RTX_PT: u8 = 99;

    #[test]
    fn chromium_vp9_svc_depayloads_and_decodes() {
        let file = fixture("chromium-vp9-svc/plain.pcap");
        let received = packets(&file, VP9_PT);
        assert_eq!(received.len(), 288);

        // what Chromium's descriptors say: flexible mode, layer indices, a two-layer scalability structure
        let mut layers = BTreeSet::new();
        let mut structures = Vec::new();
        for (ts, marker, payload, _) in received.values() {
            let d = Vp9Descriptor::parse(payload).unwrap();
            assert!(d.flexible);
            let (sid, tid) = (d.sid.unwrap(), d.tid.unwrap());
            layers.insert((sid, tid));
            assert_eq!(d.num_pdiff > 0, d.inter_predicted, "references in flexible mode");
            // the marker closes a picture on its top spatial layer
            assert!(!marker || (sid == 1 && d.ends_frame), "marker at ts {ts}");
            if let Some(n) = d.ss_spatial_layers {
                structures.push((n, d.ss_top_resolution));
            }
        }
        assert_eq!(layers.len(), 6, "two spatial x three temporal layers: {layers:?}");
        assert!(!structures.is_empty());
        assert!(structures.iter().all(|&s| s == (2, Some((640, 480)))), "{structures:?}");

        // every 40th video datagram was dropped before decryption: pictures are reported incomplete
        let incomplete = depayload(&mut Vp9Depayloader::new(), &received).incomplete;
        assert!(!incomplete.is_empty());

        // with the RTX repairs every picture is whole and decodes at the top layer's size
        let repaired = with_rtx_repairs(&file, &received, RTX_PT);
        let (first, last) = (*repaired.keys().next().unwrap(), *repaired.keys().last().unwrap());
        assert_eq!(usize::from(last - first) + 1, repaired.len(), "no gaps left");
        let super::Outcome {
            frames: pictures,
            incomplete,
        } = depayload(&mut Vp9Depayloader::new(), &repaired);
        assert!(incomplete.is_empty(), "{incomplete:?}");
        assert!(pictures[0].2, "the stream starts with a keyframe");
        let timestamps: BTreeSet<u32> = repaired.values().map(|(ts, ..)| *ts).collect();
        assert_eq!(
            pictures.len(),
            timestamps.len(),
            "every picture, base-only ones included"
        );
        // some pictures lost their upper layer after the base went out: those never get a marker
        let with_top: BTreeSet<u32> = repaired
            .values()
            .filter(|(.., payload, _)| Vp9Descriptor::parse(payload).unwrap().sid == Some(1))
            .map(|(ts, ..)| *ts)
            .collect();
        let base_only: Vec<u32> = timestamps.difference(&with_top).copied().collect();
        assert!(!base_only.is_empty(), "pictures without their upper layer");
        assert!(
            repaired
                .values()
                .all(|(ts, marker, ..)| !marker || with_top.contains(ts)),
            "only full pictures have a marker"
        );
        let mut dec = VpxDecoder::new(VpxCodec::Vp9).unwrap();
        let mut picture = VideoFrame::default();
        let mut luma = Vec::new();
        for (ts, data, _) in &pictures {
            assert!(
                dec.decode(data, *ts, &mut picture).unwrap(),
                "picture {ts} gave nothing"
            );
            // a base-only picture decodes at the base layer's size
            let size = if base_only.contains(ts) { (320, 240) } else { (640, 480) };
            assert_eq!((picture.width, picture.height), size, "picture {ts}");
            luma.push(picture.y.iter().map(|&v| u64::from(v)).sum::<u64>() / picture.y.len() as u64);
        }
        assert!(pictures.len() > 90, "{} pictures", pictures.len());
        // Chromium's fake camera: brightness climbing picture by picture, falling back now and then
        let falls = luma.windows(2).filter(|w| w[1] + 15 < w[0]).count();
        let climbs = luma.windows(2).filter(|w| w[1] > w[0]).count();
        assert!(
            climbs * 10 > pictures.len() * 7 && falls >= 4,
            "{climbs} climbs, {falls} falls: {luma:?}"
        );
    }
}
