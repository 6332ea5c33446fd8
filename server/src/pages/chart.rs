//! Bar charts drawn on the server as SVG: accessible (a title and a description, every bar
//! with its own title and its number in `data-value`), printable, no script and no chart
//! service. The page puts the same numbers in a table beside each chart.

use maud::{Markup, html};

/// A chart: rows of numbers, one per series.
pub struct Chart<'a> {
    /// The element id (also of its title and description).
    pub id: &'a str,
    pub title: &'a str,
    /// The series' names (one: no legend).
    pub series: &'a [&'a str],
    /// Each row's label and its value per series.
    pub rows: Vec<(String, Vec<i64>)>,
    /// Bars of a row side by side (compare series) rather than stacked (parts of a whole).
    pub grouped: bool,
}

const LABEL_WIDTH: i64 = 210;
const BAR_WIDTH: i64 = 420;
const NUMBER_WIDTH: i64 = 70;
const BAR_HEIGHT: i64 = 16;
const GAP: i64 = 8;
const LEGEND_HEIGHT: i64 = 26;

/// A label short enough for its column.
fn short(label: &str) -> String {
    if label.chars().count() > 14 {
        format!("{}…", label.chars().take(13).collect::<String>())
    } else {
        label.to_string()
    }
}

/// Where each part of a stacked bar starts.
fn stacked_starts(values: &[i64], scale: &dyn Fn(i64) -> i64) -> Vec<i64> {
    let mut x = LABEL_WIDTH;
    values
        .iter()
        .map(|v| {
            let start = x;
            x += scale(*v);
            start
        })
        .collect()
}

pub fn bar_chart(c: &Chart) -> Markup {
    let per_row = if c.grouped { c.series.len() as i64 } else { 1 };
    let row_height = per_row * BAR_HEIGHT + GAP;
    let legend = if c.series.len() > 1 { LEGEND_HEIGHT } else { 0 };
    let max = c
        .rows
        .iter()
        .map(|(_, v)| {
            if c.grouped {
                v.iter().copied().max().unwrap_or(0)
            } else {
                v.iter().sum()
            }
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let width = LABEL_WIDTH + BAR_WIDTH + NUMBER_WIDTH;
    let height = legend + c.rows.len() as i64 * row_height + GAP;
    let scale = |v: i64| v * BAR_WIDTH / max;
    html! {
        svg.chart id=(c.id) xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox=(format!("0 0 {width} {height}")) width=(width) height=(height)
            aria-labelledby=(format!("{0}-title {0}-desc", c.id)) {
            title id=(format!("{}-title", c.id)) { (c.title) }
            desc id=(format!("{}-desc", c.id)) { "条形图，数字见下表。" }
            @if c.series.len() > 1 {
                @for (j, s) in c.series.iter().enumerate() {
                    rect class=(format!("s{j}")) x=(LABEL_WIDTH + j as i64 * 100) y="6" width="12" height="12" {}
                    text x=(LABEL_WIDTH + j as i64 * 100 + 16) y="16" { (s) }
                }
            }
            @for (i, (label, values)) in c.rows.iter().enumerate() {
                @let top = legend + i as i64 * row_height + GAP / 2;
                g.row data-label=(label) {
                    text.label x=(LABEL_WIDTH - 8) y=(top + BAR_HEIGHT * per_row / 2 + 4) text-anchor="end" {
                        title { (label) } (short(label))
                    }
                    @if c.grouped {
                        @for (j, v) in values.iter().enumerate() {
                            @let y = top + j as i64 * BAR_HEIGHT;
                            rect class=(format!("s{j}")) x=(LABEL_WIDTH) y=(y) width=(scale(*v)) height=(BAR_HEIGHT - 2)
                                data-series=(c.series.get(j).copied().unwrap_or("")) data-value=(v) {
                                title { (label) " " (c.series.get(j).copied().unwrap_or("")) "：" (v) }
                            }
                            text.number x=(LABEL_WIDTH + scale(*v) + 4) y=(y + BAR_HEIGHT - 4) { (v) }
                        }
                    } @else {
                        @let starts = stacked_starts(values, &scale);
                        @for (j, (v, x)) in values.iter().zip(&starts).enumerate() {
                            rect class=(format!("s{j}")) x=(x) y=(top) width=(scale(*v)) height=(BAR_HEIGHT)
                                data-series=(c.series.get(j).copied().unwrap_or("")) data-value=(v) {
                                title { (label) " " (c.series.get(j).copied().unwrap_or("")) "：" (v) }
                            }
                        }
                        text.number x=(LABEL_WIDTH + scale(values.iter().sum()) + 4) y=(top + BAR_HEIGHT - 3) { (values.iter().sum::<i64>()) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_numbers_and_scale_to_the_largest() {
        let svg = bar_chart(&Chart {
            id: "c",
            title: "类别",
            series: &["事项"],
            rows: vec![("行政许可".into(), vec![40]), ("行政处罚".into(), vec![10])],
            grouped: false,
        })
        .into_string();
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("data-value=\"40\""));
        assert!(svg.contains(&format!("width=\"{BAR_WIDTH}\"")));
        assert!(svg.contains(&format!("width=\"{}\"", BAR_WIDTH / 4)));
        assert!(
            !svg.contains("<text x=\"226\" y=\"16\">"),
            "no legend for one series"
        );
    }
}
