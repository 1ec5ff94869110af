//! Pictures for the pages, drawn by plotters' SVG backend: the layered trace graph
//! ([`trace_graph`]) and the recall console's bar chart ([`bar_chart`]).
//!
//! The graph's layout is ours (a few lines): nodes sit in columns by layer (sources → lots →
//! pallets/cases → cans → holders), ordered inside a column by the mean row of the nodes that
//! point at them, which keeps most edges short and uncrossed for trees like these. plotters
//! draws every box, line and label; the only thing added to its output is the root element's
//! `id`, `role` and accessible name. Links from nodes are HTML anchors laid over the picture
//! at the nodes' places (in percent, so they follow the picture's scaling), because plotters
//! draws no hyperlinks; each anchor has a text for screen readers and a visible focus ring.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Nodes drawn per column at most; the rest are counted in a last box (ours: a column taller
/// than this is unreadable anyway, and the table below the graph lists every node).
pub const NODES_PER_LAYER_MAX: usize = 30;

const NODE_W: i32 = 170;
const NODE_H: i32 = 40;
const COL_W: i32 = 210;
const ROW_H: i32 = 54;
const TOP: i32 = 34;
const LEFT: i32 = 10;

/// A node of the graph to draw.
#[derive(Clone, Debug)]
pub struct Node {
    /// Its column.
    pub layer: usize,
    /// The first line (its kind).
    pub kind: String,
    /// The second line (a short form of its identifier).
    pub label: String,
    /// Where a click on it goes.
    pub href: Option<String>,
    /// What a screen reader says for the link.
    pub link_text: String,
}

/// An edge, from one node index to another.
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    /// Upstream node.
    pub from: usize,
    /// Downstream node.
    pub to: usize,
    /// Drawn lighter: a "held things reached" edge rather than a recorded link.
    pub light: bool,
}

/// A link laid over the picture, in percent of its size.
#[derive(Clone, Debug)]
pub struct Hotspot {
    /// Left edge, percent.
    pub left: f64,
    /// Top edge, percent.
    pub top: f64,
    /// Width, percent.
    pub width: f64,
    /// Height, percent.
    pub height: f64,
    /// Where it goes.
    pub href: String,
    /// Its text for screen readers.
    pub text: String,
}

/// A drawn graph.
#[derive(Clone, Debug, Default)]
pub struct Drawn {
    /// The `<svg>` element.
    pub svg: String,
    /// The links over it.
    pub hotspots: Vec<Hotspot>,
    /// Its natural width in pixels (the page lets it scroll sideways below that, so that
    /// its labels stay readable on a phone).
    pub width: u32,
}

/// Orders each layer's nodes by the mean row of their upstream neighbours, and caps each
/// layer at [`NODES_PER_LAYER_MAX`]. Returns, per layer, the node indexes shown and how many
/// were left out.
fn arrange(nodes: &[Node], edges: &[Edge], n_layers: usize) -> Vec<(Vec<usize>, usize)> {
    let mut row_of: Vec<Option<f64>> = vec![None; nodes.len()];
    let mut layers = Vec::with_capacity(n_layers);
    for layer in 0..n_layers {
        let mut members: Vec<(f64, usize)> = nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| node.layer == layer)
            .map(|(idx, _)| {
                let rows: Vec<f64> = edges
                    .iter()
                    .filter(|edge| edge.to == idx)
                    .filter_map(|edge| row_of[edge.from])
                    .collect();
                let key = if rows.is_empty() {
                    f64::MAX
                } else {
                    rows.iter().sum::<f64>() / rows.len() as f64
                };
                (key, idx)
            })
            .collect();
        members.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let hidden = members.len().saturating_sub(NODES_PER_LAYER_MAX);
        let shown: Vec<usize> = members
            .into_iter()
            .take(NODES_PER_LAYER_MAX)
            .map(|(_, idx)| idx)
            .collect();
        for (row, &idx) in shown.iter().enumerate() {
            row_of[idx] = Some(row as f64);
        }
        layers.push((shown, hidden));
    }
    layers
}

/// Shortens text to about `max` columns (a CJK or other wide character counts two, as it is
/// drawn about twice as wide), keeping its end, with an ellipsis in front.
pub fn shorten(text: &str, max: usize) -> String {
    let columns = |c: char| if c.is_ascii() { 1 } else { 2 };
    if text.chars().map(columns).sum::<usize>() <= max {
        return text.to_owned();
    }
    let mut kept = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        if used + columns(c) > max {
            break;
        }
        used += columns(c);
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// Draws a layered graph: `titles` names the columns, `more` is the word before a count of
/// nodes left out, `name` is the picture's accessible name.
pub fn trace_graph(
    nodes: &[Node],
    edges: &[Edge],
    titles: &[&str],
    more: &str,
    name: &str,
) -> Result<Drawn, String> {
    let n_layers = titles.len();
    let layers = arrange(nodes, edges, n_layers);
    let rows_max = layers
        .iter()
        .map(|(shown, hidden)| shown.len() + usize::from(*hidden > 0))
        .max()
        .unwrap_or(0)
        .max(1);
    let width = LEFT * 2 + COL_W * (n_layers as i32 - 1).max(0) + NODE_W;
    let height = TOP + ROW_H * rows_max as i32 + 10;
    let mut place: Vec<Option<(i32, i32)>> = vec![None; nodes.len()];
    for (layer, (shown, _)) in layers.iter().enumerate() {
        for (row, &idx) in shown.iter().enumerate() {
            place[idx] = Some((LEFT + COL_W * layer as i32, TOP + ROW_H * row as i32));
        }
    }
    let mut svg = String::new();
    {
        let area =
            SVGBackend::with_string(&mut svg, (width as u32, height as u32)).into_drawing_area();
        let fail =
            |err: DrawingAreaErrorKind<_>| format!("the trace graph could not be drawn: {err}");
        area.fill(&WHITE).map_err(fail)?;
        let title_style = ("sans-serif", 14)
            .into_font()
            .style(FontStyle::Bold)
            .color(&RGBColor(68, 68, 68))
            .pos(Pos::new(HPos::Center, VPos::Center));
        for (layer, title) in titles.iter().enumerate() {
            if layers[layer].0.is_empty() {
                continue;
            }
            let x = LEFT + COL_W * layer as i32 + NODE_W / 2;
            area.draw(&Text::new(title.to_string(), (x, 14), title_style.clone()))
                .map_err(fail)?;
        }
        for edge in edges {
            let (Some((x0, y0)), Some((x1, y1))) = (place[edge.from], place[edge.to]) else {
                continue;
            };
            let color = if edge.light {
                RGBColor(170, 170, 170)
            } else {
                RGBColor(90, 90, 90)
            };
            let start = (x0 + NODE_W, y0 + NODE_H / 2);
            let end = (x1, y1 + NODE_H / 2);
            area.draw(&PathElement::new(vec![start, end], color.stroke_width(1)))
                .map_err(fail)?;
            area.draw(&Polygon::new(
                vec![end, (end.0 - 7, end.1 - 4), (end.0 - 7, end.1 + 4)],
                color.filled(),
            ))
            .map_err(fail)?;
        }
        let kind_style = ("sans-serif", 12)
            .into_font()
            .color(&RGBColor(85, 85, 85))
            .pos(Pos::new(HPos::Left, VPos::Center));
        let label_style = ("sans-serif", 13)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (idx, node) in nodes.iter().enumerate() {
            let Some((x, y)) = place[idx] else { continue };
            area.draw(&Rectangle::new(
                [(x, y), (x + NODE_W, y + NODE_H)],
                RGBColor(232, 240, 254).filled(),
            ))
            .map_err(fail)?;
            area.draw(&Rectangle::new(
                [(x, y), (x + NODE_W, y + NODE_H)],
                RGBColor(11, 87, 208).stroke_width(1),
            ))
            .map_err(fail)?;
            area.draw(&Text::new(
                node.kind.clone(),
                (x + 6, y + 11),
                kind_style.clone(),
            ))
            .map_err(fail)?;
            area.draw(&Text::new(
                shorten(&node.label, 22),
                (x + 6, y + 28),
                label_style.clone(),
            ))
            .map_err(fail)?;
        }
        for (layer, (shown, hidden)) in layers.iter().enumerate() {
            if *hidden == 0 {
                continue;
            }
            let x = LEFT + COL_W * layer as i32;
            let y = TOP + ROW_H * shown.len() as i32;
            area.draw(&Text::new(
                format!("{more} {hidden}"),
                (x + 6, y + NODE_H / 2),
                label_style.clone(),
            ))
            .map_err(fail)?;
        }
        area.present().map_err(fail)?;
    }
    let hotspots = nodes
        .iter()
        .enumerate()
        .filter_map(|(idx, node)| {
            let (x, y) = place[idx]?;
            Some(Hotspot {
                left: f64::from(x) * 100.0 / f64::from(width),
                top: f64::from(y) * 100.0 / f64::from(height),
                width: f64::from(NODE_W) * 100.0 / f64::from(width),
                height: f64::from(NODE_H) * 100.0 / f64::from(height),
                href: node.href.clone()?,
                text: node.link_text.clone(),
            })
        })
        .collect();
    Ok(Drawn {
        svg: name_svg(&svg, "trace-graph", name),
        hotspots,
        width: width as u32,
    })
}

/// Gives plotters' root `<svg>` element an `id`, `role="img"` and an accessible name.
fn name_svg(svg: &str, id: &str, name: &str) -> String {
    let name: String = name
        .chars()
        .filter(|c| !matches!(c, '"' | '<' | '>' | '&'))
        .collect();
    svg.replacen(
        "<svg ",
        &format!("<svg id=\"{id}\" role=\"img\" aria-label=\"{name}\" "),
        1,
    )
}

/// A horizontal bar chart of `(label, value)` rows (cans by province), with each value at
/// its bar's end.
pub fn bar_chart(rows: &[(String, usize)], id: &str, name: &str) -> Result<String, String> {
    let n = rows.len().max(1);
    let max = rows
        .iter()
        .map(|(_, value)| *value)
        .max()
        .unwrap_or(0)
        .max(1);
    let height = 50 + 30 * n as u32;
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (640, height)).into_drawing_area();
        let fail = |err: String| format!("the chart could not be drawn: {err}");
        area.fill(&WHITE).map_err(|err| fail(err.to_string()))?;
        let labels: Vec<String> = rows.iter().map(|(label, _)| label.clone()).collect();
        let mut chart = ChartBuilder::on(&area)
            .margin(10)
            .x_label_area_size(24)
            .y_label_area_size(150)
            .build_cartesian_2d(0..(max + max / 5 + 1), (0..n).into_segmented())
            .map_err(|err| fail(err.to_string()))?;
        // The first row is drawn at the top, as in the table: segment `n - 1 - idx`.
        let segment = |idx: usize| n - 1 - idx;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|value| match value {
                SegmentValue::CenterOf(at) if *at < n => {
                    labels.get(segment(*at)).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|err| fail(err.to_string()))?;
        let bar = RGBColor(11, 87, 208);
        chart
            .draw_series(rows.iter().enumerate().map(|(idx, (_, value))| {
                let mut rect = Rectangle::new(
                    [
                        (0, SegmentValue::Exact(segment(idx))),
                        (*value, SegmentValue::Exact(segment(idx) + 1)),
                    ],
                    bar.filled(),
                );
                rect.set_margin(4, 4, 0, 0);
                rect
            }))
            .map_err(|err| fail(err.to_string()))?;
        let value_style = ("sans-serif", 13)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        chart
            .draw_series(rows.iter().enumerate().map(|(idx, (_, value))| {
                Text::new(
                    format!(" {value}"),
                    (*value, SegmentValue::CenterOf(segment(idx))),
                    value_style.clone(),
                )
            }))
            .map_err(|err| fail(err.to_string()))?;
        area.present().map_err(|err| fail(err.to_string()))?;
    }
    Ok(name_svg(&svg, id, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(layer: usize, label: &str) -> Node {
        Node {
            layer,
            kind: "批次".to_owned(),
            label: label.to_owned(),
            href: Some(format!("/app/trace?id={label}")),
            link_text: label.to_owned(),
        }
    }

    #[test]
    fn the_graph_puts_each_layer_in_its_column_with_a_link_per_node() {
        let nodes = vec![node(0, "MILK1"), node(1, "LOT1"), node(2, "can-1")];
        let edges = [
            Edge {
                from: 0,
                to: 1,
                light: false,
            },
            Edge {
                from: 1,
                to: 2,
                light: false,
            },
        ];
        let drawn = trace_graph(&nodes, &edges, &["来源", "批次", "罐"], "另有", "追溯图").unwrap();
        assert!(
            drawn
                .svg
                .starts_with("<svg id=\"trace-graph\" role=\"img\""),
            "{}",
            drawn.svg
        );
        for label in ["MILK1", "LOT1", "can-1", "来源"] {
            assert!(drawn.svg.contains(label), "{label}");
        }
        assert_eq!(drawn.hotspots.len(), 3);
        assert!(drawn.hotspots[0].left < drawn.hotspots[1].left);
        assert!(drawn.hotspots[1].left < drawn.hotspots[2].left);
        assert!(drawn.hotspots.iter().all(|h| h.left + h.width <= 100.0));
    }

    #[test]
    fn a_crowded_column_is_cut_and_counted() {
        let mut nodes = vec![node(0, "LOT1")];
        let mut edges = Vec::new();
        for n in 0..(NODES_PER_LAYER_MAX + 5) {
            nodes.push(node(1, &format!("can-{n}")));
            edges.push(Edge {
                from: 0,
                to: n + 1,
                light: false,
            });
        }
        let drawn = trace_graph(&nodes, &edges, &["批次", "罐"], "另有", "图").unwrap();
        assert_eq!(drawn.hotspots.len(), NODES_PER_LAYER_MAX + 1);
        assert!(drawn.svg.contains("另有 5"));
    }

    #[test]
    fn long_labels_keep_their_end_within_the_box() {
        assert_eq!(shorten("LOT1", 22), "LOT1");
        assert_eq!(shorten("abcdefghij", 5), "…ghij");
        // Wide characters count two columns each.
        assert_eq!(shorten("安禾母婴生活馆(南宁店)", 12), "…馆(南宁店)");
    }

    #[test]
    fn the_bar_chart_labels_each_bar() {
        let svg = bar_chart(
            &[("广东省".to_owned(), 12), ("黑龙江省".to_owned(), 3)],
            "province-chart",
            "各省涉及罐数",
        )
        .unwrap();
        assert!(svg.starts_with("<svg id=\"province-chart\""));
        for text in ["广东省", "黑龙江省", " 12", " 3"] {
            assert!(svg.contains(text), "{text}: {svg}");
        }
    }
}
