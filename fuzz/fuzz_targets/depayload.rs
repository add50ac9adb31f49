//! Feeds arbitrary packet sequences to every depayloader: no panics, no frame above the size bound, every
//! frame boundary reading agrees with what the depayloader accepts, and VP8/H264 payloaders round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ortc_codecs::av1::{Av1Depayloader, Av1Payloader};
use ortc_codecs::g711::G711Depayloader;
use ortc_codecs::h264::{H264Depayloader, H264Payloader, PacketizationMode};
use ortc_codecs::opus::OpusDepayloader;
use ortc_codecs::vp8::{Vp8Depayloader, Vp8Payloader};
use ortc_codecs::vp9::{Superframe, Vp9Depayloader, Vp9Payloader};
use ortc_codecs::{Depayloader, PayloadPacket, Payloader, Payloads};

const LIMIT: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let mut depayloaders: Vec<Box<dyn Depayloader>> = vec![
        Box::new(Vp8Depayloader::with_max_frame_size(LIMIT)),
        Box::new(H264Depayloader::with_max_frame_size(LIMIT)),
        Box::new(Vp9Depayloader::new()),
        Box::new(Av1Depayloader::new()),
        Box::new(OpusDepayloader::new()),
        Box::new(G711Depayloader::new()),
    ];
    // packets: [len][flags: bit 0 marker, bit 1 skip a sequence number, bit 2 new timestamp, bit 3 then
    // finish] payload
    let (mut seq, mut ts) = (65_530u16, 0u32);
    let mut rest = data;
    while let [len, flags, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(n);
        rest = next;
        seq = seq.wrapping_add(1 + u16::from(flags & 2 != 0));
        ts = ts.wrapping_add(3000 * u32::from(flags & 4 != 0));
        let packet = PayloadPacket {
            sequence_number: seq,
            timestamp: ts,
            marker: flags & 1 != 0,
            payload,
        };
        for (i, d) in depayloaders.iter_mut().enumerate() {
            let boundary = d.boundary(payload, packet.marker);
            match d.push(packet) {
                Ok(out) => {
                    // (a padding-only packet has no boundaries to read, yet is no error)
                    assert!(
                        boundary.is_ok() || payload.is_empty(),
                        "push accepted what boundary rejected"
                    );
                    if let Some(f) = out.frame {
                        assert_eq!(f.timestamp, ts);
                        assert!(i > 1 || f.data.len() <= LIMIT);
                    }
                    if let Some(f) = out.previous {
                        // timestamps never go back here, and a previous frame is closed by a later one
                        assert_ne!(f.timestamp, ts, "a previous frame is an older timestamp's");
                        assert!(i > 1 || f.data.len() <= LIMIT);
                    }
                }
                Err(_) => {}
            }
            if flags & 8 != 0 {
                let out = d.finish();
                assert!(out.frame.is_none() || out.incomplete.is_none());
            }
        }
    }

    // whatever bytes, the payloaders' output depayloads back to them (H264: when they hold start codes
    // the stream is re-framed, so only VP8 is checked byte-exactly)
    if data.is_empty() {
        return;
    }
    let budget = 16 + usize::from(data[0]) * 4;
    let mut payloads = Payloads::new();
    Vp8Payloader::new()
        .payload(data, budget, &mut payloads)
        .expect("budget above descriptor size");
    let mut d = Vp8Depayloader::new();
    let mut back = None;
    for (i, p) in payloads.iter().enumerate() {
        assert!(p.data.len() <= budget);
        let out = d
            .push(PayloadPacket {
                sequence_number: i as u16,
                timestamp: 1,
                marker: p.marker,
                payload: p.data,
            })
            .expect("own VP8 packets depayload");
        back = out.frame.map(|f| f.data.to_vec()).or(back);
    }
    assert_eq!(back.as_deref(), Some(data));
    let mut h264 = H264Payloader::new(PacketizationMode::NonInterleaved);
    if h264.payload(data, budget, &mut payloads).is_ok() {
        let mut d = H264Depayloader::new();
        for (i, p) in payloads.iter().enumerate() {
            assert!(p.data.len() <= budget);
            let _ = d.push(PayloadPacket {
                sequence_number: i as u16,
                timestamp: 1,
                marker: p.marker,
                payload: p.data,
            });
        }
    }
    Vp9Payloader::default()
        .payload(data, budget, &mut payloads)
        .expect("budget above descriptor size");
    assert_eq!(vp9_back(&payloads, budget).as_deref(), Some(data));
    // as a two-layer SVC superframe: the layer frames come back concatenated
    if let Ok(sf) = Superframe::parse(data) {
        let mut svc = Vp9Payloader::scalable(&[(160, 120), (320, 240)]).expect("two layers");
        if svc.payload(data, budget, &mut payloads).is_ok() {
            assert_eq!(vp9_back(&payloads, budget), Some(sf.frames().concat()));
        }
    }
    if Av1Payloader::default().payload(data, budget, &mut payloads).is_ok() {
        let mut d = Av1Depayloader::new();
        for (i, p) in payloads.iter().enumerate() {
            assert!(p.data.len() <= budget);
            let packet = PayloadPacket {
                sequence_number: i as u16,
                timestamp: 1,
                marker: p.marker,
                payload: p.data,
            };
            let _ = d.push(packet);
        }
    }
});

/// Our own VP9 packets (each within `budget`) through a VP9 depayloader: the frame they carry.
fn vp9_back(payloads: &Payloads, budget: usize) -> Option<Vec<u8>> {
    let mut d = Vp9Depayloader::new();
    let mut back = None;
    for (i, p) in payloads.iter().enumerate() {
        assert!(p.data.len() <= budget);
        let packet = PayloadPacket {
            sequence_number: i as u16,
            timestamp: 1,
            marker: p.marker,
            payload: p.data,
        };
        back = d
            .push(packet)
            .expect("own VP9 packets depayload")
            .frame
            .map(|f| f.data.to_vec())
            .or(back);
    }
    back
}
