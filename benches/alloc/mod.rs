//! A counting global allocator for the benchmarks, to report the heap a built corpus keeps.
//! Benchmarks include it with `#[path = "alloc/mod.rs"] mod alloc;`. Counting is switched on
//! only around memory measurements (`COUNTING`): a shared counter updated by every allocation
//! on every thread would slow the timed parallel code it measures. This is the only unsafe
//! code of the project (`GlobalAlloc` is an unsafe trait); the library denies unsafe code.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub struct Counting;
/// Bytes allocated and not yet freed while counting was on.
pub static LIVE: AtomicUsize = AtomicUsize::new(0);
pub static COUNTING: AtomicBool = AtomicBool::new(false);
/// The highest `LIVE` seen while counting; reset it to `LIVE` before a phase to get its peak.
/// Only `benches/heap.rs` reads it; the other benchmarks include this module too.
#[allow(dead_code)]
pub static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed).wrapping_add(layout.size());
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            // Grown vectors and strings: count the new size, so that a peak includes them.
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed).wrapping_add(new_size);
            PEAK.fetch_max(live, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;
