//! Parsers of what rustc says about the futures it generates: the output of `-Zprint-type-sizes`
//! (every type's size, its variants and their fields) and the `coroutine_layout` header of the MIR
//! dumps written by `-Zdump-mir=coroutine_resume` (each saved local's type and source span, which
//! variant holds which saved local, and which saved locals may share memory).
//!
//! Both are hand-written line parsers: the formats are line based and stable in shape, and every
//! line a parser does not understand is skipped rather than treated as an error, so a newer rustc
//! that adds detail still parses. Both `{async fn body of path::f()}` (rustc 1.77 and later) and the
//! older `[async fn body@src/lib.rs:3:1: 5:2]` / `[async block@..]` names are accepted.
//!
//! Input (`-Zprint-type-sizes`, one line each, prefix `print-type-size `):
//! ```text
//! type: `{async fn body of leaf()}`: 40 bytes, alignment: 8 bytes
//!     discriminant: 1 bytes
//!     variant `Suspend0`: 32 bytes
//!         upvar `.x`: 8 bytes, offset: 0 bytes, alignment: 8 bytes
//!         local `.__awaitee`: 24 bytes, type: YieldOnce<u64>
//!     end padding: 7 bytes
//! ```
//! Output: a [`TypeLayout`] with [`TypeKind::AsyncFnBody`] `{ path: Some("leaf") }`, one
//! [`VariantLayout`] per variant and one [`FieldLayout`] per field line.

use std::fmt;

/// A position in a source file as rustc prints it in type names and spans (`src/lib.rs:3:5: 5:6`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceSpan {
    /// The file, as rustc prints it (relative to the package root for local crates).
    pub file: String,
    /// First line, 1-based.
    pub line: u32,
    /// First column, 1-based.
    pub col: u32,
    /// Last line, when printed.
    pub end_line: Option<u32>,
    /// Column after the last character, when printed.
    pub end_col: Option<u32>,
}

impl SourceSpan {
    /// Parses `src/lib.rs:3:5: 5:6` or `src/lib.rs:3:5` (whitespace around it is ignored).
    pub fn parse(text: &str) -> Option<SourceSpan> {
        let text = text.trim();
        // The end part, if any, follows the last ": ".
        let (start, end) = match text.rfind(": ") {
            Some(i) => (&text[..i], Some(text[i + 2..].trim())),
            None => (text, None),
        };
        let mut parts = start.rsplitn(3, ':');
        let col = parts.next()?.trim().parse().ok()?;
        let line = parts.next()?.trim().parse().ok()?;
        let file = parts.next()?.to_string();
        if file.is_empty() {
            return None;
        }
        let (end_line, end_col) = match end {
            Some(end) => {
                let (l, c) = end.split_once(':')?;
                (Some(l.parse().ok()?), Some(c.parse().ok()?))
            }
            None => (None, None),
        };
        Some(SourceSpan {
            file,
            line,
            col,
            end_line,
            end_col,
        })
    }
}

impl fmt::Display for SourceSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)?;
        if let (Some(l), Some(c)) = (self.end_line, self.end_col) {
            write!(f, ": {l}:{c}")?;
        }
        Ok(())
    }
}

/// What a type printed by `-Zprint-type-sizes` is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeKind {
    /// The future of an `async fn`: `{async fn body of path::to::f()}` (path known), or in older
    /// compilers `[async fn body@src/lib.rs:3:1: 5:2]` (only the span known).
    AsyncFnBody {
        /// The fn's path as printed, relative to the crate root (`nested::inner::deep`,
        /// `Conn::read`, `generic_id<u8>`), when printed.
        path: Option<String>,
        /// Where the fn is, when printed (older compilers).
        span: Option<SourceSpan>,
    },
    /// An `async { .. }` block: `{async block@src/lib.rs:3:5: 5:6}` or `[async block@..]`.
    AsyncBlock {
        /// Where the block starts.
        span: SourceSpan,
    },
    /// The body of an async closure: `{async closure body@src/lib.rs:3:5: 5:6}`.
    AsyncClosureBody {
        /// Where the closure starts.
        span: SourceSpan,
    },
    /// Any other type.
    Other,
}

impl TypeKind {
    /// Classifies a type name as printed (without the backquotes).
    pub fn of_name(name: &str) -> TypeKind {
        let name = name.trim();
        let inner = match (name.chars().next(), name.chars().last()) {
            (Some('{'), Some('}')) | (Some('['), Some(']')) => &name[1..name.len() - 1],
            _ => return TypeKind::Other,
        };
        if let Some(path) = inner.strip_prefix("async fn body of ") {
            let path = path.strip_suffix("()").unwrap_or(path);
            return TypeKind::AsyncFnBody {
                path: Some(path.to_string()),
                span: None,
            };
        }
        if let Some(at) = inner.strip_prefix("async fn body@") {
            return TypeKind::AsyncFnBody {
                path: None,
                span: SourceSpan::parse(at),
            };
        }
        for prefix in ["async block@", "static async block@"] {
            if let Some(span) = inner.strip_prefix(prefix).and_then(SourceSpan::parse) {
                return TypeKind::AsyncBlock { span };
            }
        }
        for prefix in ["async closure body@", "async closure@"] {
            if let Some(span) = inner.strip_prefix(prefix).and_then(SourceSpan::parse) {
                return TypeKind::AsyncClosureBody { span };
            }
        }
        TypeKind::Other
    }

    /// Whether this is a future rustc generated (async fn body, async block, async closure body).
    pub fn is_async(&self) -> bool {
        !matches!(self, TypeKind::Other)
    }
}

/// What a field line of `-Zprint-type-sizes` describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A captured variable of a coroutine or closure (an async fn's arguments are its upvars).
    Upvar,
    /// A local a coroutine saves across a suspension point (`__awaitee` is the awaited future).
    Local,
    /// A field of a struct, enum variant or union.
    Field,
    /// A kind word this parser does not know, kept as printed.
    Other(String),
}

impl FieldKind {
    fn parse(word: &str) -> FieldKind {
        match word {
            "upvar" => FieldKind::Upvar,
            "local" => FieldKind::Local,
            "field" => FieldKind::Field,
            other => FieldKind::Other(other.to_string()),
        }
    }

    /// The word rustc prints.
    pub fn as_str(&self) -> &str {
        match self {
            FieldKind::Upvar => "upvar",
            FieldKind::Local => "local",
            FieldKind::Field => "field",
            FieldKind::Other(s) => s,
        }
    }
}

/// One field line: ``local `.buf`: 64 bytes, offset: 0 bytes, alignment: 1 bytes``.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLayout {
    /// upvar, local or field.
    pub kind: FieldKind,
    /// The name without the leading dot (`buf`, `__awaitee`, `0`).
    pub name: String,
    /// The offset when rustc printed it (it does when the field starts before the end of the
    /// previous one, as coroutine variants do after their prefix).
    pub offset: Option<u64>,
    /// The offset: the printed one, else computed the way rustc lays out the listing (after the
    /// previous field, the discriminant and any padding line).
    pub computed_offset: u64,
    /// Size in bytes.
    pub size: u64,
    /// Alignment, when printed (rustc prints it only where it caused padding or with an offset).
    pub align: Option<u64>,
    /// The field's type, when printed (rustc prints it for coroutine awaitees).
    pub ty: Option<String>,
    /// Bytes of padding printed just before this field.
    pub padding_before: u64,
}

/// One ``variant `Suspend0`: 112 bytes`` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariantLayout {
    /// `Unresumed`, `Suspend0`, `Some`, or the index for unnamed variants.
    pub name: String,
    /// The size as printed: the variant's size less the discriminant's.
    pub size: u64,
    /// Its fields in printed order (by offset).
    pub fields: Vec<FieldLayout>,
}

impl VariantLayout {
    /// The largest field, the "biggest saved local" of a coroutine state.
    pub fn largest_field(&self) -> Option<&FieldLayout> {
        self.fields
            .iter()
            .fold(None, |best: Option<&FieldLayout>, f| match best {
                Some(b) if b.size >= f.size => best,
                _ => Some(f),
            })
    }

    /// Total padding printed inside this variant.
    pub fn padding(&self) -> u64 {
        self.fields.iter().map(|f| f.padding_before).sum()
    }
}

/// One type of `-Zprint-type-sizes` output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeLayout {
    /// The type's name as printed between the backquotes.
    pub name: String,
    /// What the name says the type is.
    pub kind: TypeKind,
    /// Size in bytes.
    pub size: u64,
    /// Alignment in bytes.
    pub align: u64,
    /// Size of the discriminant, when the type has one.
    pub discriminant: Option<u64>,
    /// Variants of an enum or coroutine, in printed order (rustc's variant order).
    pub variants: Vec<VariantLayout>,
    /// Fields of a struct-like type (printed without a variant line).
    pub fields: Vec<FieldLayout>,
    /// Trailing padding (``end padding: 7 bytes``), 0 when not printed.
    pub end_padding: u64,
}

impl TypeLayout {
    /// The variant named `name`.
    pub fn variant(&self, name: &str) -> Option<&VariantLayout> {
        self.variants.iter().find(|v| v.name == name)
    }

    /// Number of `SuspendN` variants.
    pub fn suspend_count(&self) -> usize {
        self.variants
            .iter()
            .filter(|v| is_suspend_name(&v.name))
            .count()
    }

    /// The largest field of any variant, with the variant's name: the biggest saved local.
    pub fn largest_field(&self) -> Option<(&str, &FieldLayout)> {
        self.variants
            .iter()
            .flat_map(|v| v.fields.iter().map(move |f| (v.name.as_str(), f)))
            .chain(self.fields.iter().map(|f| ("", f)))
            .fold(
                None,
                |best: Option<(&str, &FieldLayout)>, (v, f)| match best {
                    // The first of equal sizes: the earliest state.
                    Some((_, b)) if b.size >= f.size => best,
                    _ => Some((v, f)),
                },
            )
    }
}

/// Whether `name` is `Suspend<N>`.
pub fn is_suspend_name(name: &str) -> bool {
    name.strip_prefix("Suspend")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A line of `-Zprint-type-sizes` output that starts like one but could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number in the input.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// `"64 bytes"` -> 64.
fn bytes(text: &str) -> Option<u64> {
    text.trim().strip_suffix("bytes")?.trim().parse().ok()
}

/// Splits ``X `name`: rest`` into (`name`, `rest`); the name may contain backquotes only if it is
/// followed by the last "`: ".
fn quoted(text: &str) -> Option<(&str, &str)> {
    let open = text.find('`')?;
    let close = open + 1 + text[open + 1..].rfind("`: ")?;
    Some((&text[open + 1..close], &text[close + 3..]))
}

/// Parses a field line after its indentation: ``local `.buf`: 64 bytes, offset: 0 bytes, ...``.
fn parse_field(text: &str) -> Option<FieldLayout> {
    let (word, _) = text.split_once(' ')?;
    // The type comes last and may itself contain ", ": cut it off first.
    let (text, ty) = match text.find(", type: ") {
        Some(i) => (&text[..i], Some(text[i + 8..].trim().to_string())),
        None => (text, None),
    };
    let (name, rest) = quoted(text)?;
    let name = name.strip_prefix('.').unwrap_or(name).to_string();
    let mut parts = rest.split(", ");
    let size = bytes(parts.next()?)?;
    let mut offset = None;
    let mut align = None;
    for part in parts {
        if let Some(v) = part.strip_prefix("offset: ") {
            offset = Some(bytes(v)?);
        } else if let Some(v) = part.strip_prefix("alignment: ") {
            align = Some(bytes(v)?);
        }
    }
    Some(FieldLayout {
        kind: FieldKind::parse(word),
        name,
        offset,
        computed_offset: offset.unwrap_or(0),
        size,
        align,
        ty,
        padding_before: 0,
    })
}

/// Parses the output of `rustc -Zprint-type-sizes` (or of `cargo rustc -- -Zprint-type-sizes`,
/// whose stdout may contain other lines: only lines starting with `print-type-size` are read).
///
/// Types are returned in printed order (rustc prints the largest first).
pub fn parse_type_sizes(text: &str) -> Result<Vec<TypeLayout>, ParseError> {
    let mut types: Vec<TypeLayout> = Vec::new();
    // Offset tracking, as rustc computes it while printing: the next field starts here.
    let mut min_offset = 0u64;
    let mut pending_padding = 0u64;
    for (i, raw) in text.lines().enumerate() {
        let err = |message: &str| ParseError {
            line: i + 1,
            message: format!("{message}: {}", raw.trim()),
        };
        let Some(rest) = raw.strip_prefix("print-type-size ") else {
            continue;
        };
        let body = rest.trim_start();
        let indent = rest.len() - body.len();
        if let Some(t) = body.strip_prefix("type: ") {
            let (name, rest) = quoted(t).ok_or_else(|| err("type name not in backquotes"))?;
            let mut parts = rest.split(", ");
            let size = parts
                .next()
                .and_then(bytes)
                .ok_or_else(|| err("type size not understood"))?;
            let align = parts
                .find_map(|p| p.strip_prefix("alignment: "))
                .and_then(bytes)
                .ok_or_else(|| err("type alignment not understood"))?;
            types.push(TypeLayout {
                name: name.to_string(),
                kind: TypeKind::of_name(name),
                size,
                align,
                discriminant: None,
                variants: Vec::new(),
                fields: Vec::new(),
                end_padding: 0,
            });
            min_offset = 0;
            pending_padding = 0;
            continue;
        }
        let Some(ty) = types.last_mut() else {
            return Err(err("line before any `type:` line"));
        };
        if let Some(v) = body.strip_prefix("discriminant: ") {
            let d = bytes(v).ok_or_else(|| err("discriminant size not understood"))?;
            ty.discriminant = Some(d);
            min_offset = d;
        } else if let Some(v) = body.strip_prefix("end padding: ") {
            ty.end_padding = bytes(v).ok_or_else(|| err("end padding not understood"))?;
        } else if let Some(v) = body.strip_prefix("padding: ") {
            let p = bytes(v).ok_or_else(|| err("padding not understood"))?;
            pending_padding += p;
            min_offset += p;
        } else if let Some(v) = body.strip_prefix("variant ") {
            let (name, size) = quoted(v).ok_or_else(|| err("variant name not in backquotes"))?;
            let size = bytes(size).ok_or_else(|| err("variant size not understood"))?;
            ty.variants.push(VariantLayout {
                name: name.to_string(),
                size,
                fields: Vec::new(),
            });
            min_offset = ty.discriminant.unwrap_or(0);
            pending_padding = 0;
        } else if body.contains('`') {
            let mut field = parse_field(body).ok_or_else(|| err("field line not understood"))?;
            field.computed_offset = field.offset.unwrap_or(min_offset);
            field.padding_before = pending_padding;
            pending_padding = 0;
            min_offset = field.computed_offset + field.size;
            // Fields indented under a variant belong to it; at the type's own level (struct-like
            // types) to the type.
            match ty.variants.last_mut() {
                Some(variant) if indent > 4 => variant.fields.push(field),
                _ => ty.fields.push(field),
            }
        }
        // Anything else: a detail a newer rustc added; ignore it.
    }
    Ok(types)
}

/// One saved local of a coroutine (`_s3: CoroutineSavedTy { ty, source_info }`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedLocalInfo {
    /// The saved local's index (`3` for `_s3`).
    pub index: usize,
    /// Its type, whitespace collapsed (`u64`, `[u8; 64_usize]`, `Coroutine(DefId(..), [..])`).
    pub ty: String,
    /// Where it is declared (for an awaitee: the awaited expression).
    pub span: Option<SourceSpan>,
    /// The span's syntax context (`#0` is the user's own code; other values are desugarings such
    /// as `.await`).
    pub span_ctxt: Option<u32>,
    /// `ignore_for_traits` as printed.
    pub ignore_for_traits: bool,
}

/// A variant of the coroutine: `Suspend0 (3): [_s0, _s2]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariantFields {
    /// `Unresumed`, `Returned`, `Panicked`, `SuspendN`.
    pub name: String,
    /// rustc's variant index (0 Unresumed, 1 Returned, 2 Panicked, 3.. SuspendN).
    pub index: usize,
    /// Indices of the saved locals it holds, in field order.
    pub saved: Vec<usize>,
}

/// A `debug name => (((*_N) as variant#V).F: T)` line: which user-visible name lives in which
/// field of which state (also `((*_N).F: T)` for upvars, without a variant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebugSaved {
    /// The name in the source (`buf`, `__awaitee`).
    pub name: String,
    /// rustc's variant index, `None` for an upvar of the prefix.
    pub variant: Option<usize>,
    /// The field index inside the variant (or among the upvars).
    pub field: usize,
    /// The type as printed.
    pub ty: String,
}

/// The `coroutine_layout` header of one `-Zdump-mir=coroutine_resume` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoroutineMir {
    /// The item the MIR is for, from `// MIR for `nested::inner::deep::{closure#0}``.
    pub item: String,
    /// The coroutine's type as printed in the resume fn's signature
    /// (`{async fn body of inner::deep()}`, `{async block@src/lib.rs:71:5: 71:15}`).
    pub self_ty: Option<String>,
    /// `field_tys`, by index.
    pub saved: Vec<SavedLocalInfo>,
    /// `variant_fields`, by variant index.
    pub variants: Vec<VariantFields>,
    /// `storage_conflicts`: pairs of saved locals that may not share memory (both orders, and
    /// each local with itself, as printed).
    pub storage_conflicts: Vec<(usize, usize)>,
    /// The `debug` lines that point into the coroutine: names of saved locals and upvars.
    pub debug: Vec<DebugSaved>,
    /// Saved locals whose address the body takes (`_9 = &(((*_87) as variant#4).1: &str)`),
    /// sorted: rustc's liveness keeps a borrowed local in storage until its scope ends
    /// (rust-lang/rust#96084), so these explain locals rustc saves that awaitgraph finds dead.
    pub borrowed: Vec<usize>,
}

impl CoroutineMir {
    /// The item's path without the trailing `::{closure#0}`: the async fn's path for an async fn.
    pub fn fn_path(&self) -> &str {
        self.item
            .strip_suffix("::{closure#0}")
            .unwrap_or(&self.item)
    }

    /// The saved local (with its user-visible name, when a `debug` line names it) that holds field
    /// `field` of the variant named `variant`.
    pub fn saved_in(&self, variant: &str, field: usize) -> Option<(&SavedLocalInfo, Option<&str>)> {
        let v = self.variants.iter().find(|v| v.name == variant)?;
        let s = *v.saved.get(field)?;
        let info = self.saved.iter().find(|x| x.index == s)?;
        let name = self
            .debug
            .iter()
            .find(|d| d.variant == Some(v.index) && d.field == field)
            .map(|d| d.name.as_str());
        Some((info, name))
    }

    /// The saved local named `name` in the state `variant` (via the `debug` lines).
    pub fn saved_named(&self, variant: &str, name: &str) -> Option<&SavedLocalInfo> {
        let v = self.variants.iter().find(|v| v.name == variant)?;
        let d = self
            .debug
            .iter()
            .find(|d| d.variant == Some(v.index) && d.name == name)?;
        let s = *v.saved.get(d.field)?;
        self.saved.iter().find(|x| x.index == s)
    }

    /// The saved local a printed field of state `variant` holds: `.coroutine_field2` is `_s2`;
    /// a named one (`buf`) is found through the `debug` line that names it, in this state or,
    /// since rustc names a saved local once, in any state that holds it.
    pub fn saved_index(&self, variant: &str, name: &str) -> Option<usize> {
        if let Some(n) = name
            .strip_prefix(".coroutine_field")
            .and_then(|n| n.parse().ok())
        {
            return Some(n);
        }
        if let Some(s) = self.saved_named(variant, name) {
            return Some(s.index);
        }
        let here = &self.variants.iter().find(|v| v.name == variant)?.saved;
        self.debug
            .iter()
            .filter(|d| d.name == name)
            .filter_map(|d| {
                let v = self.variants.iter().find(|v| Some(v.index) == d.variant)?;
                v.saved.get(d.field).copied()
            })
            .find(|s| here.contains(s))
    }

    /// Every saved local of state `variant` that a `debug` line names `name` (several when a
    /// shadowed local and the one shadowing it are both saved), in saved-local order.
    pub fn saved_indices_named(&self, variant: &str, name: &str) -> Vec<usize> {
        let Some(here) = self.variants.iter().find(|v| v.name == variant) else {
            return Vec::new();
        };
        let mut out: Vec<usize> = self
            .debug
            .iter()
            .filter(|d| d.name == name)
            .filter_map(|d| {
                let v = self.variants.iter().find(|v| Some(v.index) == d.variant)?;
                v.saved.get(d.field).copied()
            })
            .filter(|s| here.saved.contains(s))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether saved locals `a` and `b` conflict (may not overlap in memory).
    pub fn conflicts(&self, a: usize, b: usize) -> bool {
        self.storage_conflicts.contains(&(a, b)) || self.storage_conflicts.contains(&(b, a))
    }
}

/// `_s12` -> 12.
fn saved_index(text: &str) -> Option<usize> {
    text.trim().strip_prefix("_s")?.parse().ok()
}

/// `src/lib.rs:32:9: 32:10 (#0)` -> span and context.
fn span_with_ctxt(text: &str) -> (Option<SourceSpan>, Option<u32>) {
    let text = text.trim().trim_end_matches(',');
    match text.rfind(" (#") {
        Some(i) => {
            let ctxt = text[i + 3..].trim_end_matches(')').parse().ok();
            (SourceSpan::parse(&text[..i]), ctxt)
        }
        None => (SourceSpan::parse(text), None),
    }
}

/// `(((*_48) as variant#4).1: {async fn body of leaf()})` or `((*_48).1: u32)`.
fn parse_debug_place(place: &str) -> Option<(Option<usize>, usize, String)> {
    let place = place.trim().trim_end_matches(';');
    let place = place.strip_prefix('(')?.strip_suffix(')')?;
    let (path, ty) = place.split_once(": ")?;
    let (base, field) = path.rsplit_once('.')?;
    let field = field.parse().ok()?;
    let variant = match base.find(" as variant#") {
        Some(i) => Some(base[i + 12..].trim_end_matches(')').parse().ok()?),
        None => None,
    };
    if !base.contains("(*_") {
        return None;
    }
    Some((variant, field, ty.to_string()))
}

/// Parses one MIR dump written by `-Zdump-mir=coroutine_resume`. Returns `None` when the file has
/// no `coroutine_layout` header (a MIR dump of something that is not a coroutine).
pub fn parse_coroutine_mir(text: &str) -> Option<CoroutineMir> {
    if !text.contains("coroutine_layout") {
        return None;
    }
    let item = text
        .lines()
        .find_map(|l| l.strip_prefix("// MIR for `"))
        .and_then(|l| l.split_once('`'))
        .map(|(item, _)| item.to_string())
        .unwrap_or_default();
    let mut mir = CoroutineMir {
        item,
        self_ty: None,
        saved: Vec::new(),
        variants: Vec::new(),
        storage_conflicts: Vec::new(),
        debug: Vec::new(),
        borrowed: Vec::new(),
    };
    // (variant index, field) of every place in a coroutine variant whose address is taken.
    let mut borrowed_places: Vec<(usize, usize)> = Vec::new();
    #[derive(PartialEq)]
    enum Section {
        None,
        FieldTys,
        VariantFields,
        Conflicts,
    }
    let mut section = Section::None;
    // While reading a `ty:` that spans several lines.
    let mut ty_acc: Option<String> = None;
    let mut header_done = false;
    for line in text.lines() {
        let t = line.trim();
        if !header_done {
            if t.starts_with("} */") {
                header_done = true;
                section = Section::None;
                continue;
            }
            match t {
                "field_tys: {" => {
                    section = Section::FieldTys;
                    continue;
                }
                "variant_fields: {" => {
                    section = Section::VariantFields;
                    continue;
                }
                _ if t.starts_with("storage_conflicts:") => {
                    section = Section::Conflicts;
                    continue;
                }
                _ => {}
            }
            match section {
                Section::FieldTys => {
                    if let Some(i) = t.strip_suffix(": CoroutineSavedTy {").and_then(saved_index) {
                        mir.saved.push(SavedLocalInfo {
                            index: i,
                            ty: String::new(),
                            span: None,
                            span_ctxt: None,
                            ignore_for_traits: false,
                        });
                    } else if let Some(ty) = t.strip_prefix("ty: ") {
                        ty_acc = Some(ty.to_string());
                    } else if t.starts_with("source_info:") {
                        if let (Some(ty), Some(s)) = (ty_acc.take(), mir.saved.last_mut()) {
                            s.ty = collapse_ty(&ty);
                        }
                    } else if let Some(span) = t.strip_prefix("span: ") {
                        let (span, ctxt) = span_with_ctxt(span);
                        if let Some(s) = mir.saved.last_mut() {
                            s.span = span;
                            s.span_ctxt = ctxt;
                        }
                    } else if let Some(v) = t.strip_prefix("ignore_for_traits: ") {
                        if let Some(s) = mir.saved.last_mut() {
                            s.ignore_for_traits = v.trim_end_matches(',') == "true";
                        }
                    } else if let Some(acc) = ty_acc.as_mut() {
                        acc.push(' ');
                        acc.push_str(t);
                    }
                }
                Section::VariantFields => {
                    // `Suspend0 (3): [_s0, _s2],`
                    if let Some((head, list)) = t.split_once(": [") {
                        let (name, index) = match head.split_once('(') {
                            Some((n, i)) => (n.trim(), i.trim_end_matches(')').trim().parse().ok()),
                            None => (head.trim(), None),
                        };
                        let saved = list
                            .trim_end_matches(',')
                            .trim_end_matches(']')
                            .split(',')
                            .filter_map(saved_index)
                            .collect();
                        mir.variants.push(VariantFields {
                            name: name.to_string(),
                            index: index.unwrap_or(mir.variants.len()),
                            saved,
                        });
                    }
                }
                Section::Conflicts => {
                    // `(_s0, _s1),`
                    if let Some((a, b)) = t
                        .strip_prefix('(')
                        .and_then(|t| t.trim_end_matches(',').strip_suffix(')'))
                        .and_then(|t| t.split_once(','))
                        && let (Some(a), Some(b)) = (saved_index(a), saved_index(b))
                    {
                        mir.storage_conflicts.push((a, b));
                    }
                }
                Section::None => {}
            }
            continue;
        }
        if mir.self_ty.is_none()
            && t.starts_with("fn ")
            && let Some(i) = t.find("(_1: ")
        {
            // `fn f::{closure#0}(_1: Pin<&mut TYPE>, _2: &mut Context<'_>) -> ...`
            let rest = &t[i + 5..];
            let rest = rest.strip_prefix("Pin<&mut ").unwrap_or(rest);
            if let Some(end) = rest.find(">, _2:") {
                mir.self_ty = Some(rest[..end].to_string());
            }
        } else if let Some(d) = t.strip_prefix("debug ")
            && let Some((name, place)) = d.split_once(" => ")
            && let Some((variant, field, ty)) = parse_debug_place(place)
        {
            let saved = DebugSaved {
                name: name.to_string(),
                variant,
                field,
                ty,
            };
            if !mir.debug.contains(&saved) {
                mir.debug.push(saved);
            }
        } else {
            borrowed_places.extend(borrows_in(t));
        }
    }
    for (v, f) in borrowed_places {
        if let Some(&s) = mir
            .variants
            .iter()
            .find(|x| x.index == v)
            .and_then(|x| x.saved.get(f))
            && !mir.borrowed.contains(&s)
        {
            mir.borrowed.push(s);
        }
    }
    mir.borrowed.sort_unstable();
    Some(mir)
}

/// The coroutine places a MIR statement borrows: `&(((*_87) as variant#4).1: &str)`,
/// `&mut (((*_9) as variant#3).0: T)`, `&raw const (...)` give `(4, 1)`, `(3, 0)`, ...
fn borrows_in(stmt: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut rest = stmt;
    while let Some(i) = rest.find('&') {
        rest = &rest[i + 1..];
        let r = rest
            .strip_prefix("raw const ")
            .or_else(|| rest.strip_prefix("raw mut "))
            .or_else(|| rest.strip_prefix("mut "))
            .unwrap_or(rest);
        // `(((*_87) as variant#4).1: &str)`
        let Some(r) = r.strip_prefix("(((*_") else {
            continue;
        };
        let Some(v) = r.find(") as variant#").map(|j| &r[j + 13..]) else {
            continue;
        };
        let Some((variant, r)) = v.split_once(").") else {
            continue;
        };
        let field: String = r.chars().take_while(char::is_ascii_digit).collect();
        if let (Ok(variant), Ok(field)) = (variant.parse(), field.parse()) {
            out.push((variant, field));
        }
    }
    out
}

/// Collapses a multi-line MIR type (`Coroutine(\n DefId(..),\n [..],\n)`) to one line, dropping
/// the trailing comma rustc prints after each field.
fn collapse_ty(ty: &str) -> String {
    let mut out = String::with_capacity(ty.len());
    for word in ty.split_whitespace() {
        if !out.is_empty() && !out.ends_with(['(', '[']) && !word.starts_with([')', ']']) {
            out.push(' ');
        }
        out.push_str(word);
    }
    let out = out.trim_end_matches(',');
    out.replace(",)", ")").replace(",]", "]")
}

/// Strips generic arguments from a path: `Foo::<T>::bar<u8>` -> `Foo::bar`.
pub fn strip_generics(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.replace("::::", "::").trim_end_matches("::").to_string()
}

/// Whether two fn paths name the same fn: equal after stripping generics, or one a `::`-suffix of
/// the other (rustc trims paths in some places: `inner::deep` for `nested::inner::deep`).
pub fn same_fn_path(a: &str, b: &str) -> bool {
    let (a, b) = (strip_generics(a), strip_generics(b));
    let (a, b) = (
        a.trim_start_matches("crate::"),
        b.trim_start_matches("crate::"),
    );
    a == b || a.ends_with(&format!("::{b}")) || b.ends_with(&format!("::{a}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPTURED: &str = include_str!("../tests/data/captured/print-type-sizes.txt");

    fn async_types() -> Vec<TypeLayout> {
        parse_type_sizes(CAPTURED)
            .expect("captured output parses")
            .into_iter()
            .filter(|t| t.kind.is_async())
            .collect()
    }

    fn find<'a>(types: &'a [TypeLayout], path: &str) -> &'a TypeLayout {
        types
            .iter()
            .find(|t| matches!(&t.kind, TypeKind::AsyncFnBody { path: Some(p), .. } if p == path))
            .unwrap_or_else(|| panic!("no future for {path}"))
    }

    #[test]
    fn captured_finds_every_future_of_the_fixture() {
        let types = async_types();
        let mut names: Vec<_> = types.iter().map(|t| t.name.as_str()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "{async block@src/lib.rs:71:5: 71:15}",
                "{async fn body of Conn::read()}",
                "{async fn body of borrowed_buffer()}",
                "{async fn body of fill()}",
                "{async fn body of generic_id<u8>()}",
                "{async fn body of leaf()}",
                "{async fn body of nested::inner::deep()}",
                "{async fn body of nested::outer()}",
                "{async fn body of sequential()}",
                "{async fn body of uses_generic()}",
            ]
        );
        // rustc prints the largest first.
        assert!(types.windows(2).all(|w| w[0].size >= w[1].size));
    }

    #[test]
    fn captured_sequential_has_states_fields_and_offsets() {
        let types = async_types();
        let t = find(&types, "sequential");
        assert_eq!((t.size, t.align, t.discriminant), (72, 8, Some(1)));
        let names: Vec<_> = t.variants.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            ["Unresumed", "Suspend0", "Suspend1", "Returned", "Panicked"]
        );
        assert_eq!(t.suspend_count(), 2);
        let s0 = t.variant("Suspend0").unwrap();
        assert_eq!(s0.size, 71);
        let fields: Vec<_> = s0
            .fields
            .iter()
            .map(|f| (f.kind.as_str(), f.name.as_str(), f.computed_offset, f.size))
            .collect();
        assert_eq!(
            fields,
            [
                ("upvar", "a", 0, 8),
                ("upvar", "b", 16, 4),
                ("local", "b", 20, 4),
                ("local", "__awaitee", 32, 40),
            ]
        );
        let awaitee = &s0.fields[3];
        assert_eq!(awaitee.ty.as_deref(), Some("{async fn body of leaf()}"));
        assert_eq!(awaitee.align, Some(8));
        assert_eq!(awaitee.padding_before, 8);
        assert_eq!(s0.padding(), 16);
        assert_eq!(t.end_padding, 0);
    }

    #[test]
    fn captured_argument_stored_twice_is_visible() {
        // rust-lang/rust#62958: `s` is both an upvar and a local in Suspend0.
        let types = async_types();
        let t = find(&types, "nested::inner::deep");
        let s0 = t.variant("Suspend0").unwrap();
        let s: Vec<_> = s0.fields.iter().filter(|f| f.name == "s").collect();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].kind, FieldKind::Upvar);
        assert_eq!(s[1].kind, FieldKind::Local);
        assert_eq!(t.end_padding, 7);
    }

    #[test]
    fn captured_biggest_saved_local_and_async_block() {
        let types = async_types();
        let t = find(&types, "borrowed_buffer");
        let (state, f) = t.largest_field().unwrap();
        assert_eq!((state, f.name.as_str(), f.size), ("Suspend0", "buf", 64));
        let block = types
            .iter()
            .find(|t| matches!(t.kind, TypeKind::AsyncBlock { .. }))
            .unwrap();
        let TypeKind::AsyncBlock { span } = &block.kind else {
            unreachable!()
        };
        assert_eq!(
            (span.file.as_str(), span.line, span.col),
            ("src/lib.rs", 71, 5)
        );
        assert_eq!((span.end_line, span.end_col), (Some(71), Some(15)));
        assert_eq!(block.size, 84);
        let awaitee = block.variant("Suspend0").unwrap().fields.last().unwrap();
        assert_eq!(awaitee.ty.as_deref(), Some("YieldOnce<u32>"));
    }

    #[test]
    fn captured_struct_like_and_enum_types() {
        let types = parse_type_sizes(CAPTURED).unwrap();
        let md = types
            .iter()
            .find(|t| t.name == "std::mem::ManuallyDrop<[u8; 64]>")
            .unwrap();
        assert_eq!(md.kind, TypeKind::Other);
        assert!(md.variants.is_empty());
        assert_eq!(md.fields.len(), 1);
        assert_eq!(md.fields[0].name, "value");
        let opt = types
            .iter()
            .find(|t| t.name == "std::option::Option<u32>")
            .unwrap();
        assert_eq!(opt.discriminant, Some(4));
        assert_eq!(opt.variants.len(), 2);
        // The Pin<&mut {async fn body..}> wrapper is not itself a future body.
        assert!(
            types
                .iter()
                .any(|t| t.name.starts_with("std::pin::Pin<&mut {async fn body")
                    && t.kind == TypeKind::Other)
        );
    }

    /// rustc before 1.77 (hand-written in that format).
    const OLD_FORMAT: &str = "\
print-type-size type: `[async fn body@src/main.rs:10:36: 14:2]`: 184 bytes, alignment: 8 bytes
print-type-size     discriminant: 1 bytes
print-type-size     variant `Unresumed`: 24 bytes
print-type-size         upvar `.data`: 24 bytes, offset: 0 bytes, alignment: 8 bytes
print-type-size     variant `Suspend0`: 175 bytes
print-type-size         upvar `.data`: 24 bytes, offset: 0 bytes, alignment: 8 bytes
print-type-size         local `.data`: 24 bytes
print-type-size         padding: 8 bytes
print-type-size         local `.__awaitee`: 120 bytes, alignment: 8 bytes, type: [async fn body@src/main.rs:3:30: 5:2]
print-type-size     variant `Returned`: 24 bytes
print-type-size         upvar `.data`: 24 bytes, offset: 0 bytes, alignment: 8 bytes
print-type-size     variant `Panicked`: 24 bytes
print-type-size         upvar `.data`: 24 bytes, offset: 0 bytes, alignment: 8 bytes
print-type-size type: `[async block@src/main.rs:20:5: 23:6]`: 16 bytes, alignment: 8 bytes
print-type-size     discriminant: 1 bytes
print-type-size     variant `Unresumed`: 0 bytes
print-type-size     variant `Suspend0`: 15 bytes
print-type-size         padding: 7 bytes
print-type-size         local `.__awaitee`: 8 bytes, alignment: 8 bytes, type: std::future::Ready<std::result::Result<u8, ()>>
print-type-size     variant `Returned`: 0 bytes
print-type-size     variant `Panicked`: 0 bytes
print-type-size type: `{async closure body@src/main.rs:30:13: 30:26}`: 2 bytes, alignment: 1 bytes
print-type-size     discriminant: 1 bytes
print-type-size     variant `Unresumed`: 0 bytes
print-type-size     variant `Returned`: 0 bytes
print-type-size     variant `Panicked`: 0 bytes
print-type-size     end padding: 1 bytes
";

    #[test]
    fn old_format_names_and_types_with_commas() {
        let types = parse_type_sizes(OLD_FORMAT).unwrap();
        assert_eq!(types.len(), 3);
        let TypeKind::AsyncFnBody {
            path: None,
            span: Some(span),
        } = &types[0].kind
        else {
            panic!("not an async fn body: {:?}", types[0].kind)
        };
        assert_eq!(span.to_string(), "src/main.rs:10:36: 14:2");
        let s0 = types[0].variant("Suspend0").unwrap();
        assert_eq!(s0.fields[2].computed_offset, 56);
        assert_eq!(
            s0.fields[2].ty.as_deref(),
            Some("[async fn body@src/main.rs:3:30: 5:2]")
        );
        assert!(matches!(types[1].kind, TypeKind::AsyncBlock { .. }));
        let ready = &types[1].variant("Suspend0").unwrap().fields[0];
        assert_eq!(
            ready.ty.as_deref(),
            Some("std::future::Ready<std::result::Result<u8, ()>>")
        );
        assert_eq!(ready.computed_offset, 8);
        assert!(matches!(types[2].kind, TypeKind::AsyncClosureBody { .. }));
        assert_eq!(types[2].end_padding, 1);
    }

    #[test]
    fn name_formats() {
        assert_eq!(
            TypeKind::of_name("{async fn body of path::to::f()}"),
            TypeKind::AsyncFnBody {
                path: Some("path::to::f".into()),
                span: None
            }
        );
        assert!(matches!(
            TypeKind::of_name("{async block@src/lib.rs:3:5: 5:6}"),
            TypeKind::AsyncBlock { span } if span.line == 3 && span.end_col == Some(6)
        ));
        assert_eq!(TypeKind::of_name("std::string::String"), TypeKind::Other);
        assert_eq!(TypeKind::of_name("[u8; 64]"), TypeKind::Other);
        assert_eq!(
            TypeKind::of_name("{closure@src/lib.rs:1:1: 1:5}"),
            TypeKind::Other
        );
    }

    #[test]
    fn malformed_lines_are_errors_not_panics() {
        let e = parse_type_sizes("print-type-size type: `X`: many bytes, alignment: 8 bytes")
            .unwrap_err();
        assert_eq!(e.line, 1);
        assert!(parse_type_sizes("print-type-size     variant `A`: 3 bytes").is_err());
        assert!(
            parse_type_sizes(
                "print-type-size type: `X`: 8 bytes, alignment: 8 bytes\nprint-type-size     field `.a: 8"
            )
            .is_err()
        );
        // Other lines (cargo's, warnings) are skipped.
        assert_eq!(
            parse_type_sizes("warning: unused\n  Compiling x\n").unwrap(),
            []
        );
    }

    fn mir(name: &str) -> CoroutineMir {
        let path = format!(
            "{}/tests/data/captured/mir/{name}.mir",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        parse_coroutine_mir(&text).unwrap()
    }

    #[test]
    fn borrowed_saved_locals_and_field_names() {
        let m = mir("borrowed_buffer");
        // `fill(&mut buf)` borrows `buf` (_s0); polling borrows the awaitee (_s1).
        assert_eq!(m.borrowed, [0, 1]);
        assert_eq!(m.saved_index("Suspend0", "buf"), Some(0));
        assert_eq!(m.saved_index("Suspend0", ".coroutine_field1"), Some(1));
        assert_eq!(m.saved_index("Suspend0", "nope"), None);
        assert_eq!(m.saved_index("Unresumed", "buf"), None);
        // Only the awaitees are borrowed in `sequential`.
        let m = mir("sequential");
        assert!(
            m.borrowed
                .iter()
                .all(|s| m.saved[*s].ty.starts_with("Coroutine("))
        );
        assert_eq!(
            borrows_in("(((*_87) as variant#3).2: &&str) = &(((*_87) as variant#4).1: &str);"),
            [(4, 1)]
        );
        assert_eq!(
            borrows_in("_5 = &raw mut (((*_9) as variant#12).10: T); _6 = &_3;"),
            [(12, 10)]
        );
    }

    #[test]
    fn captured_mir_sequential() {
        let m = mir("sequential");
        assert_eq!(m.item, "sequential::{closure#0}");
        assert_eq!(m.fn_path(), "sequential");
        assert_eq!(
            m.self_ty.as_deref(),
            Some("{async fn body of sequential()}")
        );
        assert_eq!(m.saved.len(), 4);
        assert_eq!(m.saved[0].ty, "u32");
        assert_eq!(m.saved[1].ty, "u64");
        assert!(
            m.saved[2].ty.starts_with("Coroutine(DefId("),
            "{}",
            m.saved[2].ty
        );
        assert!(m.saved[2].ty.contains("::leaf::{closure#0}"));
        let x = m.saved_named("Suspend1", "x").unwrap();
        assert_eq!(x.index, 1);
        let span = x.span.as_ref().unwrap();
        assert_eq!((span.line, span.col, span.end_col), (34, 9, Some(10)));
        assert_eq!(x.span_ctxt, Some(0));
        let (awaitee, name) = m.saved_in("Suspend0", 1).unwrap();
        assert_eq!(name, Some("__awaitee"));
        assert_ne!(awaitee.span_ctxt, Some(0));
        let names: Vec<_> = m
            .variants
            .iter()
            .map(|v| (v.name.as_str(), v.index))
            .collect();
        assert_eq!(
            names,
            [
                ("Unresumed", 0),
                ("Returned", 1),
                ("Panicked", 2),
                ("Suspend0", 3),
                ("Suspend1", 4)
            ]
        );
        assert_eq!(m.variants[4].saved, [1, 3]);
        assert!(m.conflicts(0, 2));
        assert!(!m.conflicts(2, 3));
        assert_eq!(m.storage_conflicts.len(), 14);
        // The arguments are upvars (no variant).
        assert!(m.debug.iter().any(|d| d.name == "b" && d.variant.is_none()));
    }

    #[test]
    fn captured_mir_async_block_and_method() {
        let m = mir("with_block");
        assert_eq!(
            m.self_ty.as_deref(),
            Some("{async block@src/lib.rs:71:5: 71:15}")
        );
        assert_eq!(
            m.saved_named("Suspend0", "big").unwrap().ty,
            "[u32; 16_usize]"
        );
        let m = mir("impl1-read");
        assert_eq!(
            m.self_ty.as_deref(),
            Some("{async fn body of Conn::read()}")
        );
        assert!(m.item.starts_with("<impl at src/lib.rs:"));
    }

    #[test]
    fn captured_mir_matches_type_sizes() {
        // Every MIR dump names a coroutine type that -Zprint-type-sizes printed, possibly with
        // a trimmed path or generic parameters instead of arguments.
        let types = async_types();
        for name in [
            "borrowed_buffer",
            "fill",
            "generic_id",
            "impl1-read",
            "leaf",
            "nested-inner-deep",
            "nested-outer",
            "sequential",
            "uses_generic",
            "with_block",
        ] {
            let m = mir(name);
            let self_ty = m.self_ty.clone().unwrap();
            let found = types
                .iter()
                .any(|t| match (&t.kind, TypeKind::of_name(&self_ty)) {
                    (
                        TypeKind::AsyncFnBody { path: Some(a), .. },
                        TypeKind::AsyncFnBody { path: Some(b), .. },
                    ) => same_fn_path(a, &b),
                    _ => t.name == self_ty,
                });
            assert!(found, "{name}: no layout for {self_ty}");
        }
    }

    #[test]
    fn mir_without_layout_is_none() {
        assert_eq!(
            parse_coroutine_mir("// MIR for `f` 0 built\nfn f() -> () {}"),
            None
        );
    }

    #[test]
    fn paths() {
        assert_eq!(strip_generics("Foo::<T>::bar<u8>"), "Foo::bar");
        assert!(same_fn_path("nested::inner::deep", "inner::deep"));
        assert!(same_fn_path("generic_id<u8>", "generic_id<T>"));
        assert!(!same_fn_path("leaf", "deleaf"));
        assert!(!same_fn_path("a::leaf", "b::leaf"));
    }
}
