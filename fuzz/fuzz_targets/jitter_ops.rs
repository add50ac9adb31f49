//! Drives a video and an audio jitter buffer with arbitrary inserts and time steps: no panics, the held
//! packets stay within capacity, NACK lists within their bound, a lone far packet touches nothing held, and
//! released packets go forward.
#![no_main]

use std::time::{Duration, Instant};

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use ortc_codecs::vp8::Vp8Depayloader;
use ortc_jitter::{AudioOut, Config, EveryPacket, Inserted, JitterBuffer, PacketInfo};

fuzz_target!(|data: &[u8]| {
    let mut video_config = Config::video();
    video_config.capacity = 64;
    video_config.max_nack_list = 40;
    let mut video = JitterBuffer::new(video_config, Vp8Depayloader::new());
    let mut audio_config = Config::audio(48_000);
    audio_config.capacity = 32;
    audio_config.nack = true;
    let mut audio = JitterBuffer::new(audio_config, EveryPacket);
    let t0 = Instant::now();
    let mut now = t0;
    let (mut seq, mut ts, mut ssrc) = (65_000u16, u32::MAX - 5000, 1u32);
    let mut last_video = None;
    let mut last_audio = None;
    let mut rest = data;
    while let [op, arg, tail @ ..] = rest {
        rest = tail;
        match op % 8 {
            0..=2 => {
                // insert: arg is a signed sequence step; the payload is the next few bytes
                seq = seq.wrapping_add_signed(i16::from(*arg as i8));
                ts = ts.wrapping_add(u32::from(*arg) * 90);
                let n = usize::from(op >> 3).min(rest.len());
                let (payload, next) = rest.split_at(n);
                rest = next;
                let info = PacketInfo {
                    ssrc,
                    sequence_number: seq,
                    timestamp: ts,
                    marker: op & 0x80 != 0,
                };
                let payload = Bytes::copy_from_slice(payload);
                // a packet far from the stream's numbers is held aside: what the buffer holds is untouched
                let held = (video.len(), audio.len());
                if video.insert_parts(now, info, payload.clone()) == Inserted::Probation {
                    assert_eq!(video.len(), held.0);
                }
                if audio.insert_parts(now, info, payload) == Inserted::Probation {
                    assert_eq!(audio.len(), held.1);
                }
            }
            3 => now += Duration::from_millis(u64::from(*arg) * 4),
            4 => {
                let max = video.config().max_nack_list;
                assert!(video.poll_nack(now).len() <= max);
                let max = audio.config().max_nack_list;
                assert!(audio.poll_nack(now).len() <= max);
            }
            5 => {
                let restarts = video.stats().restarts;
                while let Some(f) = video.poll_frame(now) {
                    assert!(!f.packets.is_empty() && f.packets.len() <= 64);
                    let first = f.packets[0].extended_sequence_number;
                    let last = f.packets[f.packets.len() - 1].extended_sequence_number;
                    assert!(last_video.is_none_or(|(r, l)| r != restarts || first > l));
                    last_video = Some((restarts, last));
                }
                let _ = video.poll_keyframe_request();
            }
            6 => {
                let restarts = audio.stats().restarts;
                while let Some(o) = audio.poll_audio(now) {
                    let s = match o {
                        AudioOut::Packet(p) => p.extended_sequence_number,
                        AudioOut::Conceal {
                            extended_sequence_number,
                            ..
                        } => extended_sequence_number,
                    };
                    assert!(last_audio.is_none_or(|(r, l)| r != restarts || s > l));
                    last_audio = Some((restarts, s));
                }
            }
            _ => {
                if arg & 1 != 0 {
                    ssrc = ssrc.wrapping_add(1);
                }
                if arg & 2 != 0 {
                    // a stray packet or a renumbered stream, by what the next inserts do
                    seq = seq.wrapping_add(20_000);
                }
                video.set_rtt(Duration::from_millis(u64::from(*arg)));
                if let Some((at, _)) = video.poll_timeout() {
                    now = now.max(at);
                }
                let _ = audio.poll_timeout();
            }
        }
        assert!(video.len() <= video.capacity());
        assert!(audio.len() <= audio.capacity());
    }
    let _ = (video.stats(), audio.stats());
});
