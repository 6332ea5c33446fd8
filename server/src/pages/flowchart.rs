//! The workflow of an item (运行流程) as an inline SVG flowchart: one box per step, top to
//! bottom, with the stage, who acts and the time limit, joined by arrows. No script, no
//! external assets; readers get the same steps as a list for screen readers.

use maud::{Markup, html};
use quanze_registry::interchange::WorkflowStep;

const WIDTH: u32 = 560;
const BOX_WIDTH: u32 = 460;
const BOX_HEIGHT: u32 = 64;
const GAP: u32 = 34;
const LEFT: u32 = (WIDTH - BOX_WIDTH) / 2;
/// Characters of a line that fit in a box at the font sizes of the stylesheet.
const STAGE_CHARS: usize = 28;
const DETAIL_CHARS: usize = 34;

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// The second line of a box: actor and time limit, or the start of the description.
fn detail(step: &WorkflowStep) -> String {
    let mut parts = vec![];
    if let Some(actor) = &step.actor {
        parts.push(format!("承办：{actor}"));
    }
    if let Some(days) = step.time_limit_days {
        parts.push(format!("时限：{days}日"));
    }
    if parts.is_empty()
        && let Some(d) = &step.description
    {
        parts.push(d.clone());
    }
    parts.join("　")
}

/// The flowchart of `steps` (nothing when there are none).
pub fn flowchart(steps: &[WorkflowStep]) -> Markup {
    let n = steps.len() as u32;
    let height = n * BOX_HEIGHT + n.saturating_sub(1) * GAP + 8;
    html! {
        @if !steps.is_empty() {
            svg.flowchart xmlns="http://www.w3.org/2000/svg" role="img"
                viewBox={ "0 0 " (WIDTH) " " (height) }
                aria-labelledby="flow-title" {
                title #flow-title { "办理流程图，共 " (n) " 步" }
                defs {
                    marker #arrowhead markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto" {
                        path d="M0,0 L10,4 L0,8 z" fill="#0b4f8a" {}
                    }
                }
                @for (i, step) in steps.iter().enumerate() {
                    @let top = 4 + i as u32 * (BOX_HEIGHT + GAP);
                    g.step {
                        title { (i + 1) ". " (step.stage) @if let Some(d) = &step.description { "：" (d) } }
                        rect.step x=(LEFT) y=(top) width=(BOX_WIDTH) height=(BOX_HEIGHT) rx="8" {}
                        text.stage x=(WIDTH / 2) y=(top + 26) text-anchor="middle" {
                            (i + 1) ". " (clip(&step.stage, STAGE_CHARS))
                        }
                        text.detail x=(WIDTH / 2) y=(top + 48) text-anchor="middle" {
                            (clip(&detail(step), DETAIL_CHARS))
                        }
                    }
                    @if i + 1 < steps.len() {
                        path.arrow d={ "M" (WIDTH / 2) "," (top + BOX_HEIGHT + 2) " L" (WIDTH / 2) "," (top + BOX_HEIGHT + GAP - 4) } {}
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(stage: &str) -> WorkflowStep {
        WorkflowStep {
            stage: stage.into(),
            description: Some("审查申请材料".into()),
            actor: Some("行政审批科".into()),
            time_limit_days: Some(5),
        }
    }

    #[test]
    fn one_box_per_step_and_an_arrow_between() {
        let svg = flowchart(&[step("受理"), step("审查"), step("<决定>")]).into_string();
        assert_eq!(svg.matches("<rect class=\"step\"").count(), 3);
        assert_eq!(svg.matches("<path class=\"arrow\"").count(), 2);
        assert!(svg.contains("承办：行政审批科　时限：5日"));
        assert!(svg.contains("&lt;决定&gt;") && !svg.contains("<决定>"));
        assert!(flowchart(&[]).into_string().is_empty());
    }

    #[test]
    fn long_text_is_clipped() {
        assert_eq!(clip("一二三四五", 3), "一二…");
        assert_eq!(clip("一二", 3), "一二");
    }
}
