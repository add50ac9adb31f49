//! Test helpers shared by the ortc crates' tests, benches and examples (not published).
//!
//! - [`CountingAllocator`] and [`allocations_during`]: count the heap allocations one piece of code makes,
//!   on the calling thread only, so that other threads (the test harness's among them) cannot disturb the
//!   count.
//! - [`pcap`]: a small reader for classic pcap captures of UDP traffic.
//!
//! ```
//! use ortc_test_support::{CountingAllocator, allocations_during};
//!
//! #[global_allocator]
//! static GLOBAL: CountingAllocator = CountingAllocator;
//!
//! let mut v: Vec<u8> = Vec::with_capacity(16);
//! assert_eq!(allocations_during(|| v.extend_from_slice(&[1, 2, 3])), 0);
//! assert!(allocations_during(|| drop(Vec::<u8>::with_capacity(64))) > 0);
//! ```

pub mod pcap;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Allocations made on this thread (`const`-initialized: reading it never allocates).
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: during thread teardown the slot may be gone; such allocations are not ours to count
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

/// A global allocator that forwards to [`System`] and counts allocations and reallocations per thread.
///
/// Install it in a test binary with `#[global_allocator]`, then measure with [`allocations_during`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAllocator;

// SAFETY: every method forwards to `System` with the caller's arguments, only counting calls.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as this method's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as this method's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as this method's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as this method's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Runs `f` and returns how many allocations (and reallocations) it made on this thread.
///
/// Only meaningful when [`CountingAllocator`] is the global allocator; check that with a call that does
/// allocate (see the crate example).
pub fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}
