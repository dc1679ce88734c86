//! The one thread that writes frames to the terminal. The app loop hands it the
//! newest rendered buffer through a one-slot handoff and never waits on the
//! terminal: on a slow link (a 64 kbit/s hop, a serial console, a frozen
//! client) the frames it could not take in time are replaced by newer ones, so
//! output never queues beyond one frame. Each frame is diffed against what was
//! last actually written, so a skipped frame's changes are never lost.

use super::terminal;
use ratatui::backend::{Backend, ClearType as RatatuiClear, CrosstermBackend, WindowSize};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Size};
use std::io;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;

/// Writes are cut into pieces this size (at an escape sequence's start when
/// one is near), so quitting waits for at most one piece at link speed, never
/// for a whole frame.
const PIECE: usize = 512;

#[derive(Default)]
struct Slot {
    frame: Option<Buffer>,
    closed: bool,
}

#[derive(Default)]
struct Handoff {
    slot: Mutex<Slot>,
    ready: Condvar,
}

pub struct FrameWriter {
    handoff: Arc<Handoff>,
}

impl FrameWriter {
    pub fn start() -> io::Result<Self> {
        let handoff = Arc::new(Handoff::default());
        let shared = Arc::clone(&handoff);
        thread::Builder::new()
            .name("frame-writer".into())
            .spawn(move || write_frames(&shared))?;
        Ok(FrameWriter { handoff })
    }

    /// Replaces any frame not yet taken by the writer; never blocks on output.
    pub fn submit(&self, frame: Buffer) {
        let mut slot = lock(&self.handoff.slot);
        slot.frame = Some(frame);
        self.handoff.ready.notify_one();
    }

    /// Stops the writer after the piece it is writing; the frame's rest is
    /// abandoned, as the terminal is about to leave the alternate screen.
    pub fn close(&self) {
        lock(&self.handoff.slot).closed = true;
        self.handoff.ready.notify_one();
    }
}

impl Drop for FrameWriter {
    fn drop(&mut self) {
        self.close();
    }
}

fn lock(slot: &Mutex<Slot>) -> std::sync::MutexGuard<'_, Slot> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn next_frame(handoff: &Handoff) -> Option<Buffer> {
    let mut slot = lock(&handoff.slot);
    loop {
        if slot.closed {
            return None;
        }
        if let Some(frame) = slot.frame.take() {
            return Some(frame);
        }
        slot = handoff
            .ready
            .wait(slot)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
    }
}

fn write_frames(handoff: &Handoff) {
    let mut written: Option<Buffer> = None;
    while let Some(frame) = next_frame(handoff) {
        let Ok(bytes) = frame_bytes(written.as_ref(), &frame) else {
            return;
        };
        for piece in pieces(&bytes) {
            if lock(&handoff.slot).closed {
                return;
            }
            match terminal::write_while_active(piece) {
                Ok(true) => {}
                // The terminal was restored or is gone: nothing more to draw.
                Ok(false) | Err(_) => return,
            }
        }
        written = Some(frame);
    }
}

/// The bytes that turn the screen from `written` into `frame`: a cleared
/// screen and every cell when there is nothing on it yet or its size changed.
pub fn frame_bytes(written: Option<&Buffer>, frame: &Buffer) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(8 * 1024);
    let mut backend = CrosstermBackend::new(&mut bytes);
    let blank;
    let before = match written {
        Some(w) if w.area == frame.area => w,
        _ => {
            backend.clear()?;
            blank = Buffer::empty(frame.area);
            &blank
        }
    };
    let changes = before.diff(frame);
    if !changes.is_empty() {
        backend.draw(changes.into_iter())?;
    }
    Backend::flush(&mut backend)?;
    Ok(super::sgr16::rewrite(&bytes))
}

/// `bytes` cut into pieces of about `PIECE` bytes, each ending before an
/// escape sequence where one starts in the piece's second half.
fn pieces(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = rest.len().min(PIECE);
        if end < rest.len() {
            if let Some(esc) = rest[PIECE / 2..end].iter().rposition(|b| *b == 0x1b) {
                end = PIECE / 2 + esc;
            } else {
                // Never inside a UTF-8 character.
                while end > 1 && (rest[end] & 0xC0) == 0x80 {
                    end -= 1;
                }
            }
        }
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(piece)
    })
}

/// The backend the app loop renders with: it sizes frames from the real
/// terminal and writes nothing; the frame writer does the writing.
pub struct Offscreen;

impl Backend for Offscreen {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, _content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a ratatui::buffer::Cell)>,
    {
        Ok(())
    }
    fn hide_cursor(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn show_cursor(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(Position::ORIGIN)
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, _position: P) -> io::Result<()> {
        Ok(())
    }
    fn clear(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn clear_region(&mut self, _clear_type: RatatuiClear) -> io::Result<()> {
        Ok(())
    }
    fn size(&self) -> io::Result<Size> {
        let (width, height) = crossterm::terminal::size()?;
        Ok(Size { width, height })
    }
    fn window_size(&mut self) -> io::Result<WindowSize> {
        let w = crossterm::terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: w.columns,
                height: w.rows,
            },
            pixels: Size {
                width: w.width,
                height: w.height,
            },
        })
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    fn buffer(lines: &[&str]) -> Buffer {
        Buffer::with_lines(lines.iter().copied())
    }

    #[test]
    fn a_skipped_frame_is_not_lost() {
        // Frames a → b → c where b was never written: c's bytes are diffed
        // against a, so b's change (row 0) that c keeps is still drawn.
        let a = buffer(&["aaaa", "aaaa"]);
        let c = buffer(&["bbbb", "cccc"]);
        let text = String::from_utf8(frame_bytes(Some(&a), &c).unwrap()).unwrap();
        assert!(text.contains("bbbb") && text.contains("cccc"), "{text:?}");
        assert!(!text.contains("\x1b[2J"), "no clear without a resize");
    }

    #[test]
    fn first_frame_and_resize_clear_and_draw_all() {
        let a = buffer(&["ab"]);
        let text = String::from_utf8(frame_bytes(None, &a).unwrap()).unwrap();
        assert!(
            text.starts_with("\x1b[2J") && text.contains("ab"),
            "{text:?}"
        );
        let wider = Buffer::empty(Rect::new(0, 0, 3, 1));
        let text = String::from_utf8(frame_bytes(Some(&a), &wider).unwrap()).unwrap();
        assert!(text.starts_with("\x1b[2J"), "{text:?}");
    }

    #[test]
    fn unchanged_frame_writes_no_cells() {
        let a = buffer(&["abc"]);
        let text = String::from_utf8(frame_bytes(Some(&a), &a).unwrap()).unwrap();
        assert!(!text.contains('a'), "{text:?}");
    }

    #[test]
    fn pieces_cover_everything_and_cut_before_escapes() {
        let mut bytes = Vec::new();
        for i in 0..400 {
            bytes.extend_from_slice(format!("\x1b[{};1H├x{i}", i % 24).as_bytes());
        }
        let parts: Vec<&[u8]> = pieces(&bytes).collect();
        assert!(parts.len() > 1);
        assert_eq!(parts.concat(), bytes);
        for p in &parts[1..] {
            assert_eq!(p[0], 0x1b);
            assert!(p.len() <= PIECE);
        }
        let plain = "é".repeat(1000);
        for p in pieces(plain.as_bytes()) {
            assert!(std::str::from_utf8(p).is_ok());
        }
    }
}
