//! The action dialog: the plan's summary and every step it will take, then its
//! progress and result. Nothing runs until the user presses y here.

use crate::action::{Plan, StepOp};
use crate::ui::keymap::{bindings_of, Scope};
use crate::ui::state::action_flow::ActionFlow;
use crate::ui::state::UiState;
use crate::ui::widgets::pane_block;
use crate::ui::widgets::table::clip;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

pub fn op_label(op: StepOp) -> &'static str {
    match op {
        StepOp::Create => "create",
        StepOp::Start => "start",
        StepOp::Stop => "stop",
        StepOp::Remove => "remove",
        StepOp::Restart => "restart",
        StepOp::Update => "update",
        StepOp::WaitHealthy => "wait healthy",
        StepOp::Mute => "mute",
        StepOp::Unmute => "unmute",
        StepOp::Expire => "expire",
        StepOp::Cancel => "cancel",
        StepOp::Terminate => "terminate",
        StepOp::Verify => "verify",
        StepOp::Load => "load",
        StepOp::Delete => "delete",
        StepOp::Kill => "kill",
        StepOp::Exec => "exec",
        StepOp::Restore => "restore",
        StepOp::Check => "check",
    }
}

pub fn render(area: Rect, buf: &mut Buffer, ui: &UiState, flow: &ActionFlow) {
    let t = &ui.theme;
    let (plan, progress, title) = match flow {
        ActionFlow::Confirm(p) => (p, &[][..], "Confirm"),
        ActionFlow::Running { plan, progress, .. } => (plan, &progress[..], "Running"),
        ActionFlow::Finished { plan, progress, .. } => (plan, &progress[..], "Result"),
        _ => return,
    };
    let width = area.width.saturating_sub(4).clamp(1, 100);
    let inner_w = width.saturating_sub(2) as usize;
    // The summary says whose session or which replicas: all of it must show.
    let mut head: Vec<Line> = wrap(&plan.summary, inner_w.saturating_sub(1))
        .into_iter()
        .map(|l| Line::styled(format!(" {l}"), t.text.add_modifier(Modifier::BOLD)))
        .collect();
    if plan.destructive {
        head.push(Line::styled(
            " stops or removes something that is serving",
            t.warning,
        ));
    }
    head.push(Line::raw(""));
    let mut tail: Vec<Line> = Vec::new();
    if !progress.is_empty() {
        tail.push(Line::raw(""));
    }
    tail.extend(
        progress
            .iter()
            .map(|p| Line::styled(format!(" {}", clip(p, inner_w.saturating_sub(1))), t.muted)),
    );
    tail.push(Line::raw(""));
    tail.push(status(ui, flow));
    // Steps fill what is left; the head and the status always show.
    let max_h = area.height.max(3) as usize;
    let room = max_h.saturating_sub(2 + head.len() + tail.len());
    let mut lines = head;
    lines.extend(steps(ui, plan, inner_w, room));
    lines.extend(tail);
    let popup = super::popup::centred(area, width, lines.len() as u16 + 2);
    Clear.render(popup, buf);
    let extra = format!(
        "{} step{}",
        plan.steps.len(),
        if plan.steps.len() == 1 { "" } else { "s" }
    );
    Paragraph::new(lines)
        .block(pane_block(t, title, Some(extra), true))
        .render(popup, buf);
}

fn steps<'a>(ui: &UiState, plan: &'a Plan, width: usize, room: usize) -> Vec<Line<'a>> {
    let t = &ui.theme;
    let n = plan.steps.len();
    let shown = if n > room { room.saturating_sub(1) } else { n };
    let op_w = plan
        .steps
        .iter()
        .map(|s| op_label(s.op).len())
        .max()
        .unwrap_or(0);
    let subj_w = plan
        .steps
        .iter()
        .map(|s| s.subject.chars().count())
        .max()
        .unwrap_or(0)
        .min(width / 3);
    let mut out: Vec<Line> = plan
        .steps
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, s)| {
            let num = format!(" {:>2}. ", i + 1);
            let used = num.len() + op_w + subj_w + 2;
            Line::from(vec![
                Span::styled(num, t.muted),
                Span::styled(format!("{:<op_w$} ", op_label(s.op)), t.key),
                Span::styled(format!("{:<subj_w$} ", clip(&s.subject, subj_w)), t.text),
                Span::styled(clip(&s.detail, width.saturating_sub(used)), t.muted),
            ])
        })
        .collect();
    if shown < n {
        out.push(Line::styled(
            format!("  … {} more steps", n - shown),
            t.muted,
        ));
    }
    out
}

fn status<'a>(ui: &UiState, flow: &'a ActionFlow) -> Line<'a> {
    let t = &ui.theme;
    match flow {
        ActionFlow::Confirm(_) => {
            let mut spans = vec![Span::raw(" ")];
            for b in bindings_of(Scope::Confirm) {
                if let Some((key, what)) = b.footer {
                    spans.push(Span::styled(key, t.key));
                    spans.push(Span::styled(format!(" {what}   "), t.text));
                }
            }
            Line::from(spans)
        }
        ActionFlow::Running { .. } => Line::styled(
            " running… Esc hides this; it carries on and reports below",
            t.muted,
        ),
        ActionFlow::Finished { ok, result, .. } => {
            let style = if *ok { t.ok } else { t.critical };
            Line::from(vec![
                Span::styled(
                    format!(" {} {result}", if *ok { "done:" } else { "✗" }),
                    style,
                ),
                Span::styled("   any key closes", t.muted),
            ])
        }
        _ => Line::raw(""),
    }
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word is cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let need = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if !line.is_empty() && need > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines.into_iter().map(|l| clip(&l, width)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn summaries_wrap_at_spaces() {
        assert_eq!(
            super::wrap("cancel the query of backend 42", 12),
            ["cancel the", "query of", "backend 42"]
        );
        assert_eq!(super::wrap("", 5), [""]);
    }
}
