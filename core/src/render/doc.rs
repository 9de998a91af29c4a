//! The state table appended to the fn's rustdoc, so an IDE hover shows its states.
//!
//! Input: a `StateGraph`. Output:
//! ```text
//! | State | Awaiting | Saved locals |
//! | --- | --- | --- |
//! | `Unresumed` | — | `id: u32` (argument) |
//! | `Suspend0` | `get(id).await` (line 3) | `id: u32` (local) |
//! | `Returned` | — | — |
//! | `Panicked` | — | — |
//! ```

use super::cards;
use crate::model::StateGraph;

/// A Markdown table with one row per state: its name, what it awaits (and the line), and the
/// values it holds. Deterministic; ends with a newline.
pub fn state_table_markdown(graph: &StateGraph) -> String {
    let mut s = String::from("| State | Awaiting | Saved locals |\n| --- | --- | --- |\n");
    for card in cards(graph) {
        let awaiting = match &card.awaiting {
            Some(expr) if card.line > 0 => {
                format!("{} (line {})", code(&format!("{expr}.await")), card.line)
            }
            Some(expr) => code(&format!("{expr}.await")),
            None => "—".to_string(),
        };
        let mut saved: Vec<String> = card
            .rows
            .iter()
            .map(|row| {
                let value = match &row.ty {
                    Some(ty) => format!("{}: {ty}", row.name),
                    None => row.name.clone(),
                };
                let mut cell = format!("{} ({})", code(&value), cell_text(&row.held_as));
                if row.suspicious {
                    cell.insert_str(0, "⚠ ");
                }
                cell
            })
            .collect();
        if saved.is_empty() {
            saved.push("—".to_string());
        }
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            code(&card.name),
            awaiting,
            saved.join(", ")
        ));
    }
    s
}

/// An inline code span that survives a table cell: `|` escaped, backticks fenced.
fn code(text: &str) -> String {
    let text = cell_text(text);
    let ticks = if text.contains('`') { "``" } else { "`" };
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

fn cell_text(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('|', "\\|")
}
