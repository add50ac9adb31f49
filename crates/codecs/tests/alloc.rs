//! Payloaders and depayloaders stop allocating once their reusable buffers have grown: a second frame of
//! the same size costs no allocation.
#![allow(clippy::unwrap_used)]

use ortc_codecs::av1::{Av1Depayloader, Av1Payloader};
use ortc_codecs::g711::{G711Depayloader, G711Payloader};
use ortc_codecs::h264::{H264Depayloader, H264Payloader};
use ortc_codecs::opus::{OpusDepayloader, OpusPayloader};
use ortc_codecs::vp8::{Vp8Depayloader, Vp8Payloader};
use ortc_codecs::vp9::{Vp9Depayloader, Vp9Payloader};
use ortc_codecs::{DEFAULT_MAX_PAYLOAD, Depayloader, PayloadPacket, Payloader, Payloads};

use ortc_test_support::{CountingAllocator, allocations_during};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[test]
fn counter_sees_allocations() {
    assert!(allocations_during(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
}

/// Payloads `frame` and depayloads it back under a fresh timestamp.
fn cycle(pay: &mut dyn Payloader, depay: &mut dyn Depayloader, out: &mut Payloads, frame: &[u8], seq: &mut u16) {
    pay.payload(frame, DEFAULT_MAX_PAYLOAD, out).unwrap();
    let ts = u32::from(*seq) * 90;
    let mut whole = 0;
    for p in out.iter() {
        *seq = seq.wrapping_add(1);
        let r = depay
            .push(PayloadPacket {
                sequence_number: *seq,
                timestamp: ts.wrapping_add(p.timestamp_offset),
                marker: p.marker,
                payload: p.data,
            })
            .unwrap();
        whole += r.frame.map_or(0, |f| f.data.len());
    }
    assert_eq!(whole, frame.len());
}

/// A payloader, its depayloader and a frame.
type Case<'a> = (Box<dyn Payloader>, Box<dyn Depayloader>, &'a [u8]);

#[test]
fn steady_state_is_allocation_free() {
    let vp8: Vec<u8> = (0..50_000u32).map(|i| (i * 7) as u8).collect();
    let mut h264 = vec![
        0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1F, 0, 0, 0, 1, 0x68, 0xCE, 0, 0, 0, 1, 0x65, 0x88,
    ];
    h264.extend((0..50_000u32).map(|i| (i * 13) as u8 | 4));
    let vp9: Vec<u8> = [0x82, 0x49, 0x83, 0x42]
        .into_iter()
        .chain((0..30_000u32).map(|i| i as u8))
        .collect();
    let mut av1 = vec![0x0A, 0x03, 1, 2, 3, 0x32, 0xC0, 0x3E];
    av1.extend((0..8000u32).map(|i| i as u8));
    let opus = [0xFC; 120];
    let pcmu = [0xFF; 320];
    let cases: Vec<Case<'_>> = vec![
        (Box::new(Vp8Payloader::new()), Box::new(Vp8Depayloader::new()), &vp8),
        (
            Box::new(H264Payloader::default()),
            Box::new(H264Depayloader::new()),
            &h264,
        ),
        (Box::new(Vp9Payloader::default()), Box::new(Vp9Depayloader::new()), &vp9),
        (Box::new(Av1Payloader::default()), Box::new(Av1Depayloader::new()), &av1),
        (Box::new(OpusPayloader), Box::new(OpusDepayloader::new()), &opus),
        (
            Box::new(G711Payloader::default()),
            Box::new(G711Depayloader::new()),
            &pcmu,
        ),
    ];
    for (mut pay, mut depay, frame) in cases {
        let mut out = Payloads::new();
        let mut seq = 0;
        cycle(pay.as_mut(), depay.as_mut(), &mut out, frame, &mut seq);
        let n = allocations_during(|| {
            for _ in 0..10 {
                cycle(pay.as_mut(), depay.as_mut(), &mut out, frame, &mut seq);
            }
        });
        assert_eq!(n, 0, "{} bytes", frame.len());
    }
    // AV1: the fragment buffer is reused too
    let mut d = Av1Depayloader::new();
    let p1 = [0x68, 2, 0x08, 0xAA, 0x30, 1, 2];
    let p2 = [0x90, 3, 4];
    let mut seq = 0u16;
    let mut feed = |d: &mut Av1Depayloader, ts: u32| {
        for (p, m) in [(&p1[..], false), (&p2[..], true)] {
            seq = seq.wrapping_add(1);
            d.push(PayloadPacket {
                sequence_number: seq,
                timestamp: ts,
                marker: m,
                payload: p,
            })
            .unwrap();
        }
    };
    feed(&mut d, 0);
    assert_eq!(allocations_during(|| (1..10).for_each(|t| feed(&mut d, t))), 0);
}
