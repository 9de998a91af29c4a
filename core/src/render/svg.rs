//! SVG diagrams: through Graphviz's `dot` ([`to_svg`]) when it is installed, otherwise a
//! pure-Rust renderer ([`to_svg_fallback`]) with its own layered layout and SVG writer.
//!
//! The fallback lays a state graph out the way sequential `async fn`s look: the states of the
//! body in ranks from top to bottom (longest path over `first poll`/`Ready`/early-return edges,
//! loops' back edges removed), `Pending` as a small loop on each state's right, edges that skip
//! ranks or go back up routed in lanes on the left, and `Panicked` in a column on the right that
//! every dashed unwind edge joins through one vertical bus.
//!
//! Input: a `StateGraph`. Output: `<?xml ...?><svg ...>...</svg>` text, deterministic.

use std::fmt::{self, Write as _};
use std::io::{self, Read as _, Write as _};
use std::process::{Command, Stdio};

use super::{
    Card, SHARED_COLOR, WARN_COLOR, awaiting_text, cards, edge_style, empty_rows_text, state_color,
};
use crate::model::{StateGraph, StateKind, TransitionKind};

/// How to install Graphviz, shown whenever `dot` is missing.
pub const INSTALL_HINT: &str = "Graphviz's `dot` was not found on PATH: install Graphviz \
(Debian/Ubuntu: `apt-get install graphviz`, macOS: `brew install graphviz`, \
Windows: `winget install graphviz`)";

/// Why an SVG (or PNG) could not be rendered with Graphviz.
#[derive(Debug)]
pub enum RenderError {
    /// `dot` is not installed (not on `PATH`).
    GraphvizNotFound,
    /// `dot` ran and failed.
    Graphviz {
        /// Its exit status, as text.
        status: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// Running `dot` or reading its output failed.
    Io(io::Error),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::GraphvizNotFound => f.write_str(INSTALL_HINT),
            RenderError::Graphviz { status, stderr } => {
                write!(f, "Graphviz `dot` failed ({status}): {}", stderr.trim())
            }
            RenderError::Io(e) => write!(f, "running Graphviz `dot`: {e}"),
        }
    }
}

impl std::error::Error for RenderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RenderError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RenderError> for io::Error {
    fn from(e: RenderError) -> io::Error {
        match e {
            RenderError::GraphvizNotFound => io::Error::new(io::ErrorKind::NotFound, e),
            RenderError::Io(inner) => inner,
            other => io::Error::other(other),
        }
    }
}

/// Whether Graphviz's `dot` can be run (`dot -V` succeeds). Not cached.
pub fn graphviz_available() -> bool {
    Command::new("dot")
        .arg("-V")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `dot -T<format>` on `dot_text` and returns what it writes (`format`: `svg`, `png`, ...).
/// A missing `dot` is [`RenderError::GraphvizNotFound`], whose message says how to install it.
pub fn run_graphviz(dot_text: &str, format: &str) -> Result<Vec<u8>, RenderError> {
    let mut child = Command::new("dot")
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => RenderError::GraphvizNotFound,
            _ => RenderError::Io(e),
        })?;
    // Feed stdin from another thread: `dot` may fill its stdout pipe before reading all input.
    let input = dot_text.as_bytes().to_vec();
    let writer = child.stdin.take().map(|mut stdin| {
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        })
    });
    let mut stderr = String::new();
    let mut err_pipe = child.stderr.take();
    let err_reader = std::thread::spawn(move || {
        if let Some(pipe) = err_pipe.as_mut() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        stderr
    });
    let mut out = Vec::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout.read_to_end(&mut out).map_err(RenderError::Io)?;
    }
    let status = child.wait().map_err(RenderError::Io)?;
    if let Some(w) = writer {
        let _ = w.join();
    }
    let stderr = err_reader.join().unwrap_or_default();
    if !status.success() {
        return Err(RenderError::Graphviz {
            status: status.to_string(),
            stderr,
        });
    }
    Ok(out)
}

/// The diagram as SVG rendered by Graphviz's `dot` from [`super::dot::to_dot_string`].
pub fn to_svg(graph: &StateGraph) -> Result<String, RenderError> {
    let out = run_graphviz(&super::dot::to_dot_string(graph), "svg")?;
    String::from_utf8(out)
        .map_err(|e| RenderError::Io(io::Error::new(io::ErrorKind::InvalidData, e)))
}

// ---------------------------------------------------------------------------------------------
// Fallback renderer.

const SANS: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";
const MONO: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";
/// Font size of table text, px.
const FS: f64 = 12.0;
const MONO_W: f64 = 0.61 * FS;
const PAD: f64 = 8.0;
const HEAD_H: f64 = 24.0;
const LINE_H: f64 = 19.0;
const COL_GAP: f64 = 16.0;
const RANK_SEP: f64 = 62.0;
const NODE_SEP: f64 = 40.0;
const LANE_SEP: f64 = 16.0;
const MARGIN: f64 = 20.0;

fn mono_w(s: &str) -> f64 {
    s.chars().count() as f64 * MONO_W
}

fn sans_w(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * 0.58 * size
}

/// Size and column widths of one state's box.
struct BoxSize {
    w: f64,
    h: f64,
    cols: [f64; 3],
}

fn name_cell(row: &super::Row) -> (String, Option<String>) {
    (row.name.clone(), row.shared_by.map(|n| format!(" ×{n}")))
}

fn measure(card: &Card) -> BoxSize {
    let mut w = sans_w(&card.name, 13.0) + 2.0 * PAD;
    let mut h = HEAD_H;
    if let Some(t) = awaiting_text(card) {
        w = w.max(mono_w(&t) + 2.0 * PAD);
        h += LINE_H;
    }
    for t in card
        .note
        .iter()
        .map(String::as_str)
        .chain(empty_rows_text(card))
    {
        w = w.max(sans_w(t, 11.0) + 2.0 * PAD);
        h += LINE_H;
    }
    let mut cols = [
        sans_w("saved", 9.0),
        sans_w("type", 9.0),
        sans_w("held as", 9.0),
    ];
    if !card.rows.is_empty() {
        h += 16.0;
        for row in &card.rows {
            let (name, mark) = name_cell(row);
            cols[0] = cols[0].max(mono_w(&name) + mark.map_or(0.0, |m| sans_w(&m, FS)));
            cols[1] = cols[1].max(row.ty.as_deref().map_or(MONO_W, mono_w));
            let held = sans_w(&row.held_as, FS) + if row.suspicious { 16.0 } else { 0.0 };
            cols[2] = cols[2].max(held);
            h += LINE_H;
        }
        w = w.max(cols.iter().sum::<f64>() + 2.0 * COL_GAP + 2.0 * PAD);
    }
    for warning in &card.warnings {
        w = w.max(sans_w(warning, 11.0) + 20.0 + 2.0 * PAD);
        h += LINE_H;
    }
    BoxSize {
        w: w.max(120.0).ceil(),
        h: (h + 6.0).ceil(),
        cols,
    }
}

#[derive(Clone, Copy, Default)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn right(&self) -> f64 {
        self.x + self.w
    }
    fn bottom(&self) -> f64 {
        self.y + self.h
    }
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
}

/// Ranks of the body's states: longest path from the roots over forward edges; `None` for side
/// states (`Panicked`).
fn ranks(graph: &StateGraph) -> Vec<Option<usize>> {
    let g = &graph.graph;
    let n = g.node_count();
    let side: Vec<bool> = g
        .node_weights()
        .map(|s| s.kind == StateKind::Panicked)
        .collect();
    // Edges that shape the ranks, by node index.
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in g.raw_edges() {
        let (a, b) = (e.source().index(), e.target().index());
        if a == b || a >= n || b >= n || side[a] || side[b] {
            continue;
        }
        if matches!(
            e.weight.kind,
            TransitionKind::Unwind | TransitionKind::PollAfterCompletion
        ) {
            continue;
        }
        adj[a].push(b);
    }
    // Remove back edges found by a DFS from Unresumed (then any unvisited state, in order).
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut forward: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots: Vec<usize> = g
        .node_weights()
        .enumerate()
        .filter(|(_, s)| s.kind == StateKind::Unresumed)
        .map(|(i, _)| i)
        .collect();
    roots.extend(0..n);
    for root in roots {
        if state[root] != 0 || side[root] {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&w) = adj[v].get(*next) {
                *next += 1;
                match state[w] {
                    0 => {
                        forward[v].push(w);
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => {} // back edge: drawn, but does not rank
                    _ => forward[v].push(w),
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    // Longest path over the forward DAG (Kahn, lowest index first).
    let mut indeg = vec![0usize; n];
    for targets in &forward {
        for &t in targets {
            indeg[t] += 1;
        }
    }
    let mut rank = vec![0usize; n];
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&i| indeg[i] == 0 && !side[i]).collect();
    while let Some(v) = ready.pop_first() {
        for &t in &forward[v] {
            rank[t] = rank[t].max(rank[v] + 1);
            indeg[t] -= 1;
            if indeg[t] == 0 {
                ready.insert(t);
            }
        }
    }
    // `Returned` alone at the bottom, below every other state of the body.
    let returned: Vec<bool> = g
        .node_weights()
        .map(|s| s.kind == StateKind::Returned)
        .collect();
    let others = (0..n)
        .filter(|&i| !side[i] && !returned[i])
        .map(|i| rank[i])
        .max();
    if let Some(m) = others {
        for (r, &is_returned) in rank.iter_mut().zip(&returned) {
            if is_returned {
                *r = (*r).max(m + 1);
            }
        }
    }
    (0..n).map(|i| (!side[i]).then_some(rank[i])).collect()
}

/// The diagram as SVG without Graphviz: a layered layout and a hand-written SVG writer showing
/// the same boxes, edges and legend as the DOT diagram. Deterministic; never fails.
pub fn to_svg_fallback(graph: &StateGraph) -> String {
    let cards = cards(graph);
    let sizes: Vec<BoxSize> = cards.iter().map(measure).collect();
    let ranks = ranks(graph);
    let n = cards.len();
    let max_rank = ranks.iter().flatten().copied().max().unwrap_or(0);

    // Rows of states per rank, in rustc's order.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); max_rank + 1];
    for (i, r) in ranks.iter().enumerate() {
        if let Some(r) = r {
            rows[*r].push(i);
        }
    }
    // Room on the right of each state for its Pending loop and label.
    let loop_room = graph
        .graph
        .raw_edges()
        .iter()
        .filter(|e| e.source() == e.target())
        .map(|e| 44.0 + sans_w(&e.weight.label, 10.0))
        .fold(12.0, f64::max);
    let node_sep = NODE_SEP.max(loop_room + 12.0);
    let row_w: Vec<f64> = rows
        .iter()
        .map(|row| {
            row.iter().map(|&i| sizes[i].w).sum::<f64>()
                + node_sep * row.len().saturating_sub(1) as f64
        })
        .collect();
    let row_h: Vec<f64> = rows
        .iter()
        .map(|row| row.iter().map(|&i| sizes[i].h).fold(0.0, f64::max))
        .collect();
    let body_w = row_w.iter().copied().fold(0.0, f64::max);

    // Edges, classified.
    let edges: Vec<(usize, usize, &crate::model::Transition)> = graph
        .graph
        .raw_edges()
        .iter()
        .map(|e| (e.source().index(), e.target().index(), &e.weight))
        .filter(|(a, b, _)| *a < n && *b < n)
        .collect();
    let is_side = |i: usize| ranks[i].is_none();
    let adjacent = |a: usize, b: usize| match (ranks[a], ranks[b]) {
        (Some(ra), Some(rb)) => rb == ra + 1,
        _ => false,
    };
    // Edges routed in lanes on the left: non-adjacent edges between body states.
    let lane_edges: Vec<usize> = edges
        .iter()
        .enumerate()
        .filter(|(_, (a, b, _))| a != b && !is_side(*a) && !is_side(*b) && !adjacent(*a, *b))
        .map(|(k, _)| k)
        .collect();
    let lane_label_w = lane_edges
        .iter()
        .map(|&k| sans_w(&edges[k].2.label, 10.0) + 10.0)
        .fold(0.0, f64::max);
    let lanes_w = if lane_edges.is_empty() {
        0.0
    } else {
        lane_label_w + LANE_SEP * (lane_edges.len() as f64 + 1.0)
    };

    // Title.
    let title_h = 52.0;
    let mut width = MARGIN * 2.0 + lanes_w + body_w;
    let x0 = MARGIN + lanes_w; // left of the body column
    let mut y = MARGIN + title_h;
    let mut rects = vec![Rect::default(); n];
    let mut row_y = Vec::with_capacity(rows.len());
    for (r, row) in rows.iter().enumerate() {
        let mut x = x0 + (body_w - row_w[r]) / 2.0;
        for &i in row {
            rects[i] = Rect {
                x,
                y,
                w: sizes[i].w,
                h: sizes[i].h,
            };
            x += sizes[i].w + node_sep;
        }
        row_y.push(y);
        y += row_h[r] + RANK_SEP;
    }
    let body_bottom = y - RANK_SEP;
    let body_right = rects
        .iter()
        .enumerate()
        .filter(|(i, _)| !is_side(*i))
        .map(|(_, r)| r.right())
        .fold(x0, f64::max);
    // The side column starts right of the loops; its centre line is the bus.
    let side_w = (0..n)
        .filter(|&i| is_side(i))
        .map(|i| sizes[i].w)
        .fold(0.0, f64::max);
    let bus_x = body_right + loop_room + 30.0 + side_w / 2.0;
    // Side states: in a column on the right, at the rank of Returned (or the last rank).
    let end_rank = cards
        .iter()
        .position(|c| c.kind == StateKind::Returned)
        .and_then(|i| ranks[i])
        .unwrap_or(max_rank);
    let mut side_y = row_y.get(end_rank).copied().unwrap_or(MARGIN + title_h);
    let mut side_right = bus_x;
    for i in 0..n {
        if is_side(i) {
            let w = sizes[i].w;
            rects[i] = Rect {
                x: bus_x - w / 2.0,
                y: side_y,
                w,
                h: sizes[i].h,
            };
            side_y += sizes[i].h + 24.0;
            side_right = side_right.max(bus_x + w / 2.0);
        }
    }
    let bottom = body_bottom.max(side_y - 24.0);
    width = width
        .max(side_right + MARGIN)
        .max(body_right + loop_room + MARGIN);

    let mut svg_edges = String::new();
    let mut labels = Labels::default();
    let mut parallel: std::collections::BTreeMap<(usize, usize), usize> = Default::default();
    // Lanes: the shortest spans nearest the states, so lanes nest instead of crossing.
    let mut by_span: Vec<(usize, usize)> = lane_edges
        .iter()
        .map(|&k| {
            let (a, b, _) = edges[k];
            let span = ranks[a].unwrap_or(0).abs_diff(ranks[b].unwrap_or(0));
            (span, k)
        })
        .collect();
    by_span.sort_unstable();
    let lane_of: std::collections::BTreeMap<usize, usize> = by_span
        .iter()
        .enumerate()
        .map(|(lane, &(_, k))| (k, lane + 1))
        .collect();
    let mut side_exits: std::collections::BTreeMap<usize, usize> = Default::default();
    let mut left_exits: std::collections::BTreeMap<usize, usize> = Default::default();
    // First and last state of each body row: only they have a free left / right side.
    let mut fan_out = vec![0usize; n];
    let mut fan_in = vec![0usize; n];
    for (a, b, _) in &edges {
        if adjacent(*a, *b) {
            fan_out[*a] += 1;
            fan_in[*b] += 1;
        }
    }
    let leftmost = |i: usize| ranks[i].is_some_and(|r| rows[r].first() == Some(&i));
    let rightmost = |i: usize| ranks[i].is_some_and(|r| rows[r].last() == Some(&i));
    for (index, (a, b, t)) in edges.iter().enumerate() {
        let (a, b) = (*a, *b);
        let style = edge_style(t.kind);
        let (ra, rb) = (rects[a], rects[b]);
        let k = {
            let c = parallel.entry((a, b)).or_default();
            *c += 1;
            *c - 1
        };
        let marker = marker_id(t.kind);
        let label = t.label.as_str();
        if a == b {
            // Self loop on the right, near the top.
            let top = ra.y + 6.0 + 24.0 * k as f64;
            let x = ra.right();
            let d = format!(
                "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
                x,
                top + 4.0,
                x + 36.0,
                top - 8.0,
                x + 36.0,
                top + 28.0,
                x + 2.0,
                top + 17.0
            );
            path(&mut svg_edges, &d, style, marker);
            labels.place(x + 40.0, top + 15.0, "start", label, style.color);
        } else if is_side(b) && !is_side(a) {
            // Into a side state through the bus on the right: out of the right side of the
            // last state of a row, out of the bottom (into the gap below the row) otherwise.
            let j = side_exits.entry(a).or_default();
            let jj = *j as f64;
            *j += 1;
            let bx = rb.cx();
            let (start, sy) = if rightmost(a) {
                let sy = ra.bottom() - 8.0 - 6.0 * jj;
                (format!("M{:.1},{sy:.1}", ra.right()), sy)
            } else {
                let sx = ra.x + ra.w * 0.85 - 6.0 * jj;
                let sy = ra.bottom() + 12.0 + 5.0 * jj;
                (format!("M{sx:.1},{:.1} V{sy:.1}", ra.bottom()), sy)
            };
            let d = if sy + 8.0 < rb.y {
                format!(
                    "{start} H{:.1} Q{bx:.1},{sy:.1} {bx:.1},{:.1} V{:.1}",
                    bx - 8.0,
                    sy + 8.0,
                    rb.y - 2.0
                )
            } else {
                // Beside the side state: straight into its left edge.
                let ty = sy.clamp(rb.y + 8.0, rb.bottom() - 8.0);
                format!("{start} L{:.1},{ty:.1}", rb.x - 2.0)
            };
            path(&mut svg_edges, &d, style, marker);
            let (lx, ly) = if sy + 8.0 < rb.y {
                (bx - 12.0, sy - 5.0)
            } else {
                (rb.x - 8.0, sy.clamp(rb.y + 8.0, rb.bottom() - 8.0) - 5.0)
            };
            labels.place(lx, ly, "end", label, style.color);
        } else if adjacent(a, b) {
            let shift = 14.0 * k as f64;
            let (sx, sy) = (ra.cx() + shift, ra.bottom());
            let (tx, ty) = (rb.cx() + shift, rb.y - 2.0);
            let d = if (sx - tx).abs() < 0.5 {
                format!("M{sx:.1},{sy:.1} V{ty:.1}")
            } else {
                let my = (sy + ty) / 2.0;
                format!("M{sx:.1},{sy:.1} C{sx:.1},{my:.1} {tx:.1},{my:.1} {tx:.1},{ty:.1}")
            };
            path(&mut svg_edges, &d, style, marker);
            // A straight edge is labelled at its middle; a curve near the end where fewer
            // edges meet (the curve is horizontal at its middle).
            let (lx, ly, anchor) = if (sx - tx).abs() < 0.5 {
                (sx + 8.0, (sy + ty) / 2.0 + 4.0, "start")
            } else if fan_out[a] >= fan_in[b] {
                let anchor = if tx < sx { "end" } else { "start" };
                let lx = if tx < sx { tx - 6.0 } else { tx + 6.0 };
                (lx, ty - 8.0, anchor)
            } else {
                let anchor = if tx < sx { "end" } else { "start" };
                let lx = if tx < sx { sx - 6.0 } else { sx + 6.0 };
                (lx, sy + 24.0, anchor)
            };
            labels.place(lx, ly, anchor, label, style.color);
        } else if !is_side(a) && !is_side(b) {
            // A lane on the left: out of the source's left side (or bottom, when another
            // state is on its left), along the lane, into the target's left side (or top).
            let lane_no = lane_of.get(&index).copied().unwrap_or(1);
            let lx = x0 - LANE_SEP * lane_no as f64;
            let j = left_exits.entry(a).or_default();
            let jj = *j as f64;
            *j += 1;
            let (start, sy) = if leftmost(a) {
                let sy = ra.y + ra.h / 2.0 + 8.0 * jj;
                (format!("M{:.1},{sy:.1}", ra.x), sy)
            } else {
                let sx = ra.x + 14.0 + 8.0 * jj;
                let sy = ra.bottom() + 10.0 + 5.0 * lane_no as f64;
                (format!("M{sx:.1},{:.1} V{sy:.1}", ra.bottom()), sy)
            };
            let (ty, end) = if leftmost(b) {
                let ty = rb.y + rb.h / 2.0 - 8.0 * (lane_no % 2) as f64;
                (ty, format!("H{:.1}", rb.x - 2.0))
            } else {
                let ty = rb.y - 10.0 - 5.0 * lane_no as f64;
                let tx = rb.x + 14.0;
                (ty, format!("H{tx:.1} V{:.1}", rb.y - 2.0))
            };
            let r = 8.0f64.min((ty - sy).abs() / 2.0);
            let dir = if ty > sy { 1.0 } else { -1.0 };
            let d = format!(
                "{start} H{:.1} Q{lx:.1},{sy:.1} {lx:.1},{:.1} V{:.1} Q{lx:.1},{ty:.1} {:.1},{ty:.1} {end}",
                lx + r,
                sy + dir * r,
                ty - dir * r,
                lx + r,
            );
            path(&mut svg_edges, &d, style, marker);
            labels.place(lx - 5.0, (sy + ty) / 2.0 + 4.0, "end", label, style.color);
        } else {
            // Anything else (out of a side state): a straight line.
            let d = format!(
                "M{:.1},{:.1} L{:.1},{:.1}",
                ra.cx(),
                ra.y,
                rb.cx(),
                rb.bottom() + 2.0
            );
            path(&mut svg_edges, &d, style, marker);
            labels.place(
                (ra.cx() + rb.cx()) / 2.0 + 6.0,
                (ra.y + rb.bottom()) / 2.0,
                "start",
                label,
                style.color,
            );
        }
    }

    // Legend under everything.
    let legend_y = bottom + 34.0;
    let (legend, legend_w, legend_h) = legend_svg(MARGIN, legend_y);
    width = width.max(MARGIN * 2.0 + legend_w);
    let title_w = sans_w(&graph.fn_name, 16.0).max(mono_w(&graph.signature)) + 2.0 * MARGIN;
    width = width.max(title_w).ceil();
    let height = (legend_y + legend_h + MARGIN).ceil();

    let mut s = String::new();
    let _ = writeln!(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"{SANS}\" font-size=\"{FS}\">"
    );
    let _ = writeln!(s, "<title>{}</title>", xml(&graph.fn_name));
    s.push_str("<defs>\n");
    for kind in [
        TransitionKind::FirstPoll,
        TransitionKind::Pending,
        TransitionKind::Ready,
        TransitionKind::EarlyReturn,
        TransitionKind::Unwind,
        TransitionKind::PollAfterCompletion,
    ] {
        let _ = writeln!(
            s,
            "<marker id=\"{}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{}\"/></marker>",
            marker_id(kind),
            edge_style(kind).color
        );
    }
    s.push_str("</defs>\n");
    let _ = writeln!(s, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    // Title.
    let _ = writeln!(
        s,
        "<text x=\"{MARGIN}\" y=\"{:.1}\" font-size=\"16\" font-weight=\"bold\" fill=\"#263238\">{}</text>",
        MARGIN + 14.0,
        xml(&graph.fn_name)
    );
    let mut sub = String::new();
    if graph.line > 0 {
        sub.push_str(&format!("line {} · ", graph.line));
    }
    sub.push_str(&format!(
        "{} states, {} await points",
        graph.graph.node_count(),
        graph.suspend_count()
    ));
    let _ = writeln!(
        s,
        "<text x=\"{MARGIN}\" y=\"{:.1}\" font-family=\"{MONO}\" font-size=\"11\" fill=\"#455a64\">{}</text>",
        MARGIN + 30.0,
        xml(&super::shorten(&graph.signature, 110))
    );
    let _ = writeln!(
        s,
        "<text x=\"{MARGIN}\" y=\"{:.1}\" font-size=\"10\" fill=\"#78909c\">{}</text>",
        MARGIN + 44.0,
        xml(&sub)
    );
    s.push_str("<g class=\"edges\" fill=\"none\">\n");
    s.push_str(&svg_edges);
    s.push_str("</g>\n<g class=\"states\">\n");
    for (i, card) in cards.iter().enumerate() {
        draw_card(&mut s, card, &sizes[i], rects[i]);
    }
    s.push_str("</g>\n<g class=\"labels\" font-size=\"10\">\n");
    s.push_str(&labels.svg);
    s.push_str("</g>\n");
    s.push_str(&legend);
    s.push_str("</svg>\n");
    s
}

fn marker_id(kind: TransitionKind) -> &'static str {
    match kind {
        TransitionKind::FirstPoll => "arrow-first",
        TransitionKind::Pending => "arrow-pending",
        TransitionKind::Ready => "arrow-ready",
        TransitionKind::EarlyReturn => "arrow-return",
        TransitionKind::Unwind => "arrow-unwind",
        TransitionKind::PollAfterCompletion => "arrow-again",
    }
}

fn path(out: &mut String, d: &str, style: super::EdgeStyle, marker: &str) {
    let mut extra = String::new();
    if style.dashed {
        extra.push_str(" stroke-dasharray=\"6,4\"");
    }
    if style.dotted {
        extra.push_str(" stroke-dasharray=\"2,3\"");
    }
    let width = if style.bold { 1.6 } else { 1.2 };
    let _ = writeln!(
        out,
        "<path d=\"{d}\" stroke=\"{}\" stroke-width=\"{width}\"{extra} marker-end=\"url(#{marker})\"/>",
        style.color
    );
}

/// Edge labels placed so far: a new label moves down until it overlaps none of them.
#[derive(Default)]
struct Labels {
    svg: String,
    boxes: Vec<(f64, f64, f64, f64)>,
}

impl Labels {
    fn place(&mut self, x: f64, y: f64, anchor: &str, text: &str, color: &str) {
        let w = sans_w(text, 10.0);
        let left = match anchor {
            "end" => x - w,
            "middle" => x - w / 2.0,
            _ => x,
        };
        let mut y = y;
        for _ in 0..8 {
            let clash = self.boxes.iter().any(|&(bx, by, bw, bh)| {
                left < bx + bw && bx < left + w && y - 10.0 < by + bh && by < y + 2.0
            });
            if !clash {
                break;
            }
            y += 13.0;
        }
        self.boxes.push((left, y - 10.0, w, 12.0));
        text_label(&mut self.svg, x, y, anchor, text, color);
    }
}

fn text_label(out: &mut String, x: f64, y: f64, anchor: &str, text: &str, color: &str) {
    if text.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" fill=\"{color}\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
        xml(text)
    );
}

fn draw_card(s: &mut String, card: &Card, size: &BoxSize, r: Rect) {
    let _ = writeln!(s, "<g class=\"state\" id=\"{}\">", xml(&card.name));
    let _ = writeln!(
        s,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"5\" fill=\"white\" stroke=\"#546e7a\"/>",
        r.x, r.y, r.w, r.h
    );
    // Header band with rounded top corners.
    let _ = writeln!(
        s,
        "<path d=\"M{:.1},{:.1} V{:.1} Q{:.1},{:.1} {:.1},{:.1} H{:.1} Q{:.1},{:.1} {:.1},{:.1} V{:.1} Z\" fill=\"{}\" stroke=\"#546e7a\"/>",
        r.x,
        r.y + HEAD_H,
        r.y + 5.0,
        r.x,
        r.y,
        r.x + 5.0,
        r.y,
        r.right() - 5.0,
        r.right(),
        r.y,
        r.right(),
        r.y + 5.0,
        r.y + HEAD_H,
        state_color(card.kind)
    );
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\" fill=\"#263238\">{}</text>",
        r.cx(),
        r.y + 16.5,
        xml(&card.name)
    );
    let mut y = r.y + HEAD_H;
    let left = r.x + PAD;
    if let Some(expr) = &card.awaiting {
        y += LINE_H;
        let _ = write!(
            s,
            "<text x=\"{left:.1}\" y=\"{:.1}\"><tspan font-family=\"{MONO}\">{}</tspan><tspan fill=\"#1565c0\" font-family=\"{MONO}\">.await</tspan>",
            y - 5.0,
            xml(expr)
        );
        if card.line > 0 {
            let _ = write!(
                s,
                "<tspan dx=\"6\" fill=\"#78909c\" font-family=\"{MONO}\">· line {}</tspan>",
                card.line
            );
        }
        s.push_str("</text>\n");
    }
    for note in card
        .note
        .iter()
        .map(String::as_str)
        .chain(empty_rows_text(card))
    {
        y += LINE_H;
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" font-style=\"italic\" fill=\"#607d8b\">{}</text>",
            r.cx(),
            y - 5.0,
            xml(note)
        );
    }
    if !card.rows.is_empty() {
        let xs = [
            left,
            left + size.cols[0] + COL_GAP,
            left + size.cols[0] + size.cols[1] + 2.0 * COL_GAP,
        ];
        y += 16.0;
        let _ = writeln!(
            s,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#eceff1\"/>",
            r.x,
            y - 16.0 + 1.0,
            r.right(),
            y - 16.0 + 1.0
        );
        for (x, head) in xs.iter().zip(["saved", "type", "held as"]) {
            let _ = writeln!(
                s,
                "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"9\" fill=\"#78909c\">{head}</text>",
                y - 4.0
            );
        }
        for row in &card.rows {
            if row.suspicious {
                let _ = writeln!(
                    s,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{LINE_H}\" fill=\"{WARN_COLOR}\"/>",
                    r.x + 1.0,
                    y,
                    r.w - 2.0
                );
            }
            y += LINE_H;
            let ty = y - 5.0;
            let (name, mark) = name_cell(row);
            let style = if row.hidden {
                " font-style=\"italic\" fill=\"#78909c\""
            } else if row.shared_by.is_some() {
                " font-weight=\"bold\""
            } else {
                ""
            };
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{ty:.1}\"><tspan font-family=\"{MONO}\"{style}>{}</tspan>",
                xs[0],
                xml(&name)
            );
            if let Some(mark) = mark {
                let _ = write!(
                    s,
                    "<tspan dx=\"3\" fill=\"{SHARED_COLOR}\">{}</tspan>",
                    xml(&mark)
                );
            }
            s.push_str("</text>\n");
            match &row.ty {
                Some(t) => {
                    let _ = writeln!(
                        s,
                        "<text x=\"{:.1}\" y=\"{ty:.1}\" font-family=\"{MONO}\">{}</text>",
                        xs[1],
                        xml(t)
                    );
                }
                None => {
                    let _ = writeln!(
                        s,
                        "<text x=\"{:.1}\" y=\"{ty:.1}\" fill=\"#b0bec5\">—</text>",
                        xs[1]
                    );
                }
            }
            let held = if row.suspicious {
                format!("⚠ {}", row.held_as)
            } else {
                row.held_as.clone()
            };
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{ty:.1}\">{}</text>",
                xs[2],
                xml(&held)
            );
        }
    }
    for warning in &card.warnings {
        let _ = writeln!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{LINE_H}\" fill=\"{WARN_COLOR}\"/>",
            r.x + 1.0,
            y,
            r.w - 2.0
        );
        y += LINE_H;
        let _ = writeln!(
            s,
            "<text x=\"{left:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#bf360c\">⚠ {}</text>",
            y - 5.0,
            xml(warning)
        );
    }
    s.push_str("</g>\n");
}

/// The legend box at (`x`, `y`): its SVG, width and height.
fn legend_svg(x: f64, y: f64) -> (String, f64, f64) {
    let mut s = String::new();
    let col2 = x + 240.0;
    let (w, h) = (540.0, 134.0);
    let _ = writeln!(
        s,
        "<g class=\"legend\" font-size=\"11\" fill=\"#37474f\"><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w}\" height=\"{h}\" rx=\"6\" fill=\"none\" stroke=\"#cfd8dc\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#78909c\">legend</text>",
        x + 10.0,
        y + 14.0
    );
    let kinds = [
        (StateKind::Unresumed, "Unresumed: holds the arguments"),
        (StateKind::Suspend(0), "SuspendN: waiting at an .await"),
        (StateKind::Returned, "Returned: done"),
        (StateKind::Panicked, "Panicked: poisoned"),
    ];
    for (i, (kind, text)) in kinds.iter().enumerate() {
        let ry = y + 22.0 + 18.0 * i as f64;
        let _ = writeln!(
            s,
            "<rect x=\"{:.1}\" y=\"{ry:.1}\" width=\"14\" height=\"12\" rx=\"2\" fill=\"{}\" stroke=\"#546e7a\" stroke-width=\"0.5\"/><text x=\"{:.1}\" y=\"{:.1}\">{text}</text>",
            x + 10.0,
            state_color(*kind),
            x + 30.0,
            ry + 10.0
        );
    }
    // Extras: (column, row, mark, text).
    let extra = [
        (
            0,
            4,
            "<text x=\"{X}\" y=\"{Y}\" fill=\"#6a1b9a\">×N</text>",
            "saved in N await states",
        ),
        (
            0,
            5,
            "<text x=\"{X}\" y=\"{Y}\" font-style=\"italic\" fill=\"#78909c\" font-family=\"monospace\">tmp</text>",
            "hidden temporary of the lowering",
        ),
        (
            1,
            5,
            "<rect x=\"{X}\" y=\"{R}\" width=\"18\" height=\"13\" fill=\"#ffe0b2\"/><text x=\"{X2}\" y=\"{Y}\" fill=\"#bf360c\">⚠</text>",
            "guard, RefCell borrow or Rc held across .await",
        ),
    ];
    for (col, row, mark, text) in extra {
        let cx = if col == 0 { x + 10.0 } else { col2 };
        let ry = y + 22.0 + 18.0 * row as f64;
        let _ = writeln!(
            s,
            "{}<text x=\"{:.1}\" y=\"{:.1}\">{text}</text>",
            mark.replace("{X}", &format!("{cx:.1}"))
                .replace("{X2}", &format!("{:.1}", cx + 3.0))
                .replace("{Y}", &format!("{:.1}", ry + 10.0))
                .replace("{R}", &format!("{ry:.1}")),
            cx + if col == 0 { 30.0 } else { 44.0 },
            ry + 10.0
        );
    }
    let lines = [
        (TransitionKind::Ready, "Ready: runs to the next state"),
        (TransitionKind::Pending, "Pending: stays suspended"),
        (TransitionKind::EarlyReturn, "early return (?, return)"),
        (TransitionKind::Unwind, "a panic unwinds"),
        (TransitionKind::PollAfterCompletion, "polled again: panics"),
    ];
    for (i, (kind, text)) in lines.iter().enumerate() {
        let ry = y + 28.0 + 18.0 * i as f64;
        let style = edge_style(*kind);
        path(
            &mut s,
            &format!("M{col2:.1},{ry:.1} H{:.1}", col2 + 34.0),
            style,
            marker_id(*kind),
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\">{text}</text>",
            col2 + 44.0,
            ry + 4.0
        );
    }
    s.push_str("</g>\n");
    (s, w, h)
}

/// Escape text for XML content and attribute values.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
