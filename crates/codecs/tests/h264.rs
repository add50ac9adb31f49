//! H.264 payload → depayload round trips over synthetic access units: STAP-A for SPS + PPS + IDR,
//! single NAL units, FU-A for a 100 kB IDR, packetization-mode 0, and loss of a middle FU-A packet.
#![allow(clippy::unwrap_used)]

use ortc_codecs::h264::{H264Depayloader, H264Payloader, NAL_FU_A, NAL_STAP_A, PacketizationMode, annex_b_nals};
use ortc_codecs::{
    CodecError, DEFAULT_MAX_PAYLOAD, Depayloaded, Depayloader, FrameBoundary, IncompleteFrame, PayloadPacket,
    Payloader, Payloads,
};

const SPS: [u8; 11] = [0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xEC, 0x04, 0x40];
const PPS: [u8; 4] = [0x68, 0xCE, 0x3C, 0x80];

/// A NAL unit of `len` bytes: header, then a slice header whose first bit says `first_mb_in_slice` = 0,
/// then bytes free of start-code emulation.
fn nal(header: u8, len: usize, seed: u8) -> Vec<u8> {
    let mut v = vec![header, 0x88];
    v.extend((0..len - 2).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) | 0x04));
    v
}

fn annex_b(nals: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for n in nals {
        out.extend_from_slice(&[0, 0, 0, 1]);
        out.extend_from_slice(n);
    }
    out
}

struct Sender {
    seq: u16,
    payloads: Payloads,
}

impl Sender {
    fn send(&mut self, pay: &mut H264Payloader, frame: &[u8], max: usize) -> Vec<(u16, bool, Vec<u8>)> {
        pay.payload(frame, max, &mut self.payloads).unwrap();
        self.payloads
            .iter()
            .map(|p| {
                self.seq = self.seq.wrapping_add(1);
                assert!(p.data.len() <= max);
                (self.seq, p.marker, p.data.to_vec())
            })
            .collect()
    }
}

fn push<'a>(d: &'a mut H264Depayloader, ts: u32, (seq, marker, data): &(u16, bool, Vec<u8>)) -> Depayloaded<'a> {
    d.push(PayloadPacket {
        sequence_number: *seq,
        timestamp: ts,
        marker: *marker,
        payload: data,
    })
    .unwrap()
}

#[test]
fn round_trip_gop() {
    let idr_small = nal(0x65, 600, 1);
    let idr_big = nal(0x65, 100_000, 2);
    let p_frame = nal(0x41, 900, 3);
    let p_two_slices = [nal(0x41, 700, 4), nal(0x41, 1500, 5)];
    let frames: Vec<(Vec<u8>, bool)> = vec![
        (annex_b(&[&SPS, &PPS, &idr_small]), true),
        (annex_b(&[&p_frame]), false),
        (annex_b(&[&SPS, &PPS, &idr_big]), true),
        (annex_b(&[&p_two_slices[0], &p_two_slices[1]]), false),
    ];
    let mut pay = H264Payloader::new(PacketizationMode::NonInterleaved);
    let mut d = H264Depayloader::new();
    let mut tx = Sender {
        seq: 65_530,
        payloads: Payloads::new(),
    };
    for (i, (frame, key)) in frames.iter().enumerate() {
        let ts = 3000 * i as u32;
        let packets = tx.send(&mut pay, frame, DEFAULT_MAX_PAYLOAD);
        match i {
            // SPS + PPS + IDR aggregated into one STAP-A
            0 => {
                assert_eq!(packets.len(), 1);
                assert_eq!(packets[0].2[0] & 0x1F, NAL_STAP_A);
            }
            1 => assert_eq!(packets[0].2[0], 0x41),
            // SPS + PPS in a STAP-A, then the IDR in FU-A fragments
            2 => {
                assert_eq!(packets[0].2[0] & 0x1F, NAL_STAP_A);
                assert_eq!(packets.len(), 1 + 100_000usize.div_ceil(DEFAULT_MAX_PAYLOAD - 2));
                assert!(packets[1..].iter().all(|p| p.2[0] & 0x1F == NAL_FU_A));
                assert_eq!(packets[1].2[1], 0x85);
                assert_eq!(packets.last().unwrap().2[1], 0x45);
            }
            _ => {}
        }
        assert!(packets[..packets.len() - 1].iter().all(|p| !p.1));
        assert!(packets.last().unwrap().1);
        let start = d.boundary(&packets[0].2, packets[0].1).unwrap();
        assert!(start.frame_start);
        assert_eq!(start.keyframe, *key);
        let mut got = None;
        for p in &packets {
            let r = push(&mut d, ts, p);
            assert!(r.incomplete.is_none());
            if let Some(f) = r.frame {
                got = Some((f.data.to_vec(), f.keyframe));
            }
        }
        assert_eq!(got.as_ref(), Some(&(frame.clone(), *key)), "frame {i}");
    }
}

#[test]
fn three_byte_start_codes_come_back_as_four() {
    let mut frame = vec![0, 0, 1];
    frame.extend_from_slice(&SPS);
    frame.extend_from_slice(&[0, 0, 1]);
    frame.extend_from_slice(&PPS);
    let mut pay = H264Payloader::default();
    let mut tx = Sender {
        seq: 0,
        payloads: Payloads::new(),
    };
    let packets = tx.send(&mut pay, &frame, 1200);
    let mut d = H264Depayloader::new();
    let f = push(&mut d, 0, &packets[0]).frame.unwrap().data.to_vec();
    assert_eq!(f, annex_b(&[&SPS, &PPS]));
    assert_eq!(annex_b_nals(&f).count(), 2);
}

#[test]
fn mode_0_sends_single_nal_units_only() {
    let frame = annex_b(&[&SPS, &PPS, &nal(0x65, 1000, 7)]);
    let mut pay = H264Payloader::new(PacketizationMode::SingleNal);
    let mut tx = Sender {
        seq: 0,
        payloads: Payloads::new(),
    };
    let packets = tx.send(&mut pay, &frame, 1200);
    assert_eq!(packets.iter().map(|p| p.2[0]).collect::<Vec<_>>(), [0x67, 0x68, 0x65]);
    let mut d = H264Depayloader::new();
    let mut got = None;
    for p in &packets {
        if let Some(f) = push(&mut d, 9, p).frame {
            got = Some(f.data.to_vec());
        }
    }
    assert_eq!(got, Some(frame.clone()));
    let mut out = Payloads::new();
    assert_eq!(
        pay.payload(&frame, 500, &mut out),
        Err(CodecError::TooLargeForPacket { size: 1000, max: 500 })
    );
}

#[test]
fn lost_middle_fu_a_packet_is_incomplete() {
    let idr = nal(0x65, 100_000, 9);
    let frame = annex_b(&[&SPS, &PPS, &idr]);
    let mut pay = H264Payloader::default();
    let mut tx = Sender {
        seq: 100,
        payloads: Payloads::new(),
    };
    let packets = tx.send(&mut pay, &frame, 1200);
    let mut d = H264Depayloader::new();
    let mut reported = Vec::new();
    for (i, p) in packets.iter().enumerate() {
        if i == 40 {
            continue;
        }
        let r = push(&mut d, 90_000, p);
        assert!(r.frame.is_none(), "no frame with a hole");
        reported.extend(r.incomplete);
    }
    assert_eq!(reported, [IncompleteFrame { timestamp: 90_000 }]);
    // the next access unit is clean
    let next = annex_b(&[&nal(0x41, 2000, 1)]);
    let mut got = None;
    for p in tx.send(&mut pay, &next, 1200) {
        got = push(&mut d, 93_000, &p).frame.map(|f| f.data.to_vec()).or(got);
    }
    assert_eq!(got, Some(next));
}

#[test]
fn fu_a_continuation_without_start() {
    let mut d = H264Depayloader::new();
    // FU-A middle fragment arriving first: not a frame start, reported incomplete, no error
    let r = d
        .push(PayloadPacket {
            sequence_number: 1,
            timestamp: 5,
            marker: false,
            payload: &[0x7C, 0x05, 1, 2],
        })
        .unwrap();
    assert_eq!(r.incomplete, Some(IncompleteFrame { timestamp: 5 }));
    // an FU-A start followed by a single NAL unit in the same frame is malformed
    d.push(PayloadPacket {
        sequence_number: 2,
        timestamp: 6,
        marker: false,
        payload: &[0x7C, 0x85, 0x88, 2],
    })
    .unwrap();
    let e = d
        .push(PayloadPacket {
            sequence_number: 3,
            timestamp: 6,
            marker: true,
            payload: &[0x41, 0x88],
        })
        .unwrap_err();
    assert_eq!(e, CodecError::FragmentNotTerminated);
}
