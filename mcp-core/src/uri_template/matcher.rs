//! Matching a URI against a template.
//!
//! The template is compiled into a small non-deterministic program: literal characters, one
//! region per expression (or per group of named expressions) whose characters are limited to a
//! class, and prioritised choices. A Pike VM runs it over the URI in a single pass, keeping at
//! most one thread per instruction, so the cost is O(URI length × program size) whatever the
//! input. The thread priorities reproduce what a backtracking matcher would pick (see rule 5 of
//! the module documentation). The chosen regions are then split and percent-decoded.

use super::expand::truncate;
use super::{Captures, Expression, Operator, Part, Value, VarSpec};

const UNSET: usize = usize::MAX;

/// A set of characters: everything except some ASCII characters.
#[derive(Clone, Copy, Debug)]
struct Class {
    excluded: u128,
}

impl Class {
    fn excluding(chars: &[u8]) -> Self {
        let mut excluded = 0u128;
        for &c in chars {
            excluded |= 1u128 << c;
        }
        Self { excluded }
    }

    fn without(self, c: char) -> Self {
        debug_assert!(c.is_ascii());
        Self {
            excluded: self.excluded | (1u128 << (c as u32)),
        }
    }

    fn allows(self, c: char) -> bool {
        let c = c as u32;
        c >= 128 || self.excluded & (1u128 << c) == 0
    }
}

#[derive(Clone, Copy, Debug)]
enum Inst {
    /// Consume this character.
    Char(char),
    /// Consume one character of the class.
    Class(Class),
    /// Continue at both, preferring the first.
    Split(usize, usize),
    Jmp(usize),
    /// Record the current position in a capture slot.
    Save(usize),
    /// Succeed if the whole URI has been consumed.
    Match,
}

/// A region of the URI recorded by a pair of capture slots.
#[derive(Clone, Debug)]
enum Unit {
    /// One unnamed expression (none, `+`, `#`, `.`, `/`), by part index.
    Unnamed(usize),
    /// Adjacent named expressions (`;`…, or `?` followed by `&`…), by part index.
    Named(Vec<usize>),
}

/// The compiled matcher of a template.
#[derive(Clone, Debug)]
pub(super) struct Matcher {
    insts: Vec<Inst>,
    units: Vec<Unit>,
    /// The literal the template starts with (as written, as expanded), checked before running.
    head: Option<(String, String)>,
    /// The literal the template ends with, likewise.
    tail: Option<(String, String)>,
}

struct Compiler {
    insts: Vec<Inst>,
}

impl Compiler {
    fn emit(&mut self, inst: Inst) -> usize {
        self.insts.push(inst);
        self.insts.len() - 1
    }

    fn pc(&self) -> usize {
        self.insts.len()
    }

    /// Reserves an instruction to be patched later.
    fn hole(&mut self) -> usize {
        self.emit(Inst::Jmp(UNSET))
    }

    fn chars(&mut self, s: &str) {
        for c in s.chars() {
            self.emit(Inst::Char(c));
        }
    }

    fn literal(&mut self, raw: &str, encoded: &str) {
        if raw == encoded {
            self.chars(raw);
            return;
        }
        // Either as written or as expanded, preferring as written.
        let split = self.hole();
        self.chars(raw);
        let jmp = self.hole();
        let alternative = self.pc();
        self.chars(encoded);
        let end = self.pc();
        self.insts[split] = Inst::Split(split + 1, alternative);
        self.insts[jmp] = Inst::Jmp(end);
    }

    /// `class*?`: as few characters of the class as possible.
    fn star_lazy(&mut self, class: Class) {
        let l = self.pc();
        self.emit(Inst::Split(l + 3, l + 1));
        self.emit(Inst::Class(class));
        self.emit(Inst::Jmp(l));
    }

    /// Starts a block that is skipped if it cannot match (preferring to take it).
    fn optional_begin(&mut self) -> usize {
        self.hole()
    }

    fn optional_end(&mut self, split: usize) {
        let end = self.pc();
        self.insts[split] = Inst::Split(split + 1, end);
    }

    /// An unnamed expression: `lead? item (sep item)*` with at most one item per variable, except
    /// for an exploded last variable, which takes any number of items.
    fn unnamed(&mut self, expr: &Expression, slot: usize) {
        let op = expr.op;
        let k = expr.vars.len();
        let last_explode = expr.vars[k - 1].explode;
        let class_of = |j: usize| item_class(op, j + 1 == k && !last_explode);
        let optional = op.lead().map(|lead| {
            let split = self.optional_begin();
            self.emit(Inst::Char(lead));
            split
        });
        self.emit(Inst::Save(slot));
        if optional.is_none() {
            // `{var}` and `{+var}` need at least one character.
            self.emit(Inst::Class(class_of(0)));
        }
        self.star_lazy(class_of(0));
        let mut exits = Vec::new();
        for j in 1..k {
            exits.push(self.hole());
            self.emit(Inst::Char(op.sep()));
            self.star_lazy(class_of(j));
        }
        if last_explode {
            let l = self.hole();
            exits.push(l);
            self.emit(Inst::Char(op.sep()));
            self.star_lazy(class_of(k));
            self.emit(Inst::Jmp(l));
        }
        let done = self.pc();
        for e in exits {
            // Prefer another item over stopping.
            self.insts[e] = Inst::Split(e + 1, done);
        }
        self.emit(Inst::Save(slot + 1));
        if let Some(split) = optional {
            self.optional_end(split);
        }
    }

    /// A group of named expressions: `lead params`, parsed afterwards.
    fn named(&mut self, op: Operator, slot: usize) {
        let split = self.optional_begin();
        self.emit(Inst::Char(op.lead().expect("named operators have a lead")));
        self.emit(Inst::Save(slot));
        let class = match op {
            Operator::PathParam => Class::excluding(b"/?#"),
            _ => Class::excluding(b"#"),
        };
        self.star_lazy(class);
        self.emit(Inst::Save(slot + 1));
        self.optional_end(split);
    }
}

/// The characters one value of an unnamed expression may contain. `takes_rest` is true for the
/// last, non-exploded variable of an expression, which may contain the `,` separator.
fn item_class(op: Operator, takes_rest: bool) -> Class {
    let class = match op {
        Operator::Simple => Class::excluding(b"/?#"),
        Operator::Reserved => Class::excluding(b"#"),
        Operator::Fragment => Class::excluding(b""),
        Operator::Label => Class::excluding(b"/?#."),
        Operator::Path => Class::excluding(b"/?#"),
        Operator::PathParam | Operator::Query | Operator::QueryCont => {
            unreachable!("named operators are matched by group")
        }
    };
    if takes_rest {
        class
    } else {
        class.without(op.sep())
    }
}

/// The thread list of the Pike VM: a sparse set of instruction indexes in priority order, with
/// the capture slots of each.
struct Threads {
    dense: Vec<usize>,
    sparse: Vec<usize>,
    caps: Vec<usize>,
}

impl Threads {
    fn new(insts: usize, slots: usize) -> Self {
        Self {
            dense: Vec::with_capacity(insts),
            sparse: vec![0; insts],
            caps: vec![UNSET; insts * slots],
        }
    }

    fn contains(&self, pc: usize) -> bool {
        let i = self.sparse[pc];
        i < self.dense.len() && self.dense[i] == pc
    }

    fn insert(&mut self, pc: usize) {
        self.sparse[pc] = self.dense.len();
        self.dense.push(pc);
    }
}

enum Frame {
    Explore(usize),
    Restore(usize, usize),
}

/// A captured value and the prefix length of the occurrence it came from.
#[derive(Clone, Debug)]
struct Slot {
    value: Value,
    prefix: Option<usize>,
}

impl Matcher {
    pub(super) fn compile(parts: &[Part]) -> Self {
        let mut c = Compiler { insts: Vec::new() };
        let mut units = Vec::new();
        let mut i = 0;
        while i < parts.len() {
            match &parts[i] {
                Part::Literal { raw, encoded } => {
                    c.literal(raw, encoded);
                    i += 1;
                }
                Part::Expr(expr) => {
                    let slot = 2 * units.len();
                    let continuation = match expr.op {
                        Operator::PathParam => Some(Operator::PathParam),
                        Operator::Query | Operator::QueryCont => Some(Operator::QueryCont),
                        _ => None,
                    };
                    if let Some(continuation) = continuation {
                        let mut j = i + 1;
                        while let Some(Part::Expr(next)) = parts.get(j)
                            && next.op == continuation
                        {
                            j += 1;
                        }
                        c.named(expr.op, slot);
                        units.push(Unit::Named((i..j).collect()));
                        i = j;
                    } else {
                        c.unnamed(expr, slot);
                        units.push(Unit::Unnamed(i));
                        i += 1;
                    }
                }
            }
        }
        c.emit(Inst::Match);
        let literal = |part: Option<&Part>| match part {
            Some(Part::Literal { raw, encoded }) => Some((raw.clone(), encoded.clone())),
            _ => None,
        };
        Self {
            insts: c.insts,
            units,
            head: literal(parts.first()),
            tail: literal(parts.last()),
        }
    }

    pub(super) fn match_uri(
        &self,
        parts: &[Part],
        names: &[String],
        uri: &str,
    ) -> Option<Captures> {
        // Cheap necessary conditions: most URIs tried against a template fail here.
        if let Some((raw, encoded)) = &self.head
            && !uri.starts_with(raw.as_str())
            && !uri.starts_with(encoded.as_str())
        {
            return None;
        }
        if let Some((raw, encoded)) = &self.tail
            && !uri.ends_with(raw.as_str())
            && !uri.ends_with(encoded.as_str())
        {
            return None;
        }
        let slots = self.run(uri)?;
        let mut acc: Vec<Option<Slot>> = vec![None; names.len()];
        for (u, unit) in self.units.iter().enumerate() {
            let (start, end) = (slots[2 * u], slots[2 * u + 1]);
            if start == UNSET {
                continue;
            }
            let text = &uri[start..end];
            match unit {
                Unit::Unnamed(p) => decode_unnamed(expression(parts, *p), text, &mut acc)?,
                Unit::Named(ps) => {
                    let exprs: Vec<&Expression> =
                        ps.iter().map(|&p| expression(parts, p)).collect();
                    decode_named(&exprs, text, &mut acc)?;
                }
            }
        }
        let entries = acc
            .into_iter()
            .zip(names)
            .filter_map(|(slot, name)| slot.map(|s| (name.clone(), s.value)))
            .collect();
        Some(Captures { entries })
    }

    /// Runs the program over `uri`; returns the capture slots of the preferred match.
    fn run(&self, uri: &str) -> Option<Vec<usize>> {
        let n = self.insts.len();
        let ns = 2 * self.units.len();
        let mut current = Threads::new(n, ns);
        let mut next = Threads::new(n, ns);
        let mut caps = vec![UNSET; ns];
        let mut stack = Vec::new();
        self.add_thread(&mut current, 0, 0, &mut caps, &mut stack);
        for (pos, ch) in uri.char_indices() {
            if current.dense.is_empty() {
                return None;
            }
            let after = pos + ch.len_utf8();
            next.dense.clear();
            for &pc in &current.dense {
                let step = match self.insts[pc] {
                    Inst::Char(c) => c == ch,
                    Inst::Class(class) => class.allows(ch),
                    _ => false,
                };
                if step {
                    caps.copy_from_slice(&current.caps[pc * ns..(pc + 1) * ns]);
                    self.add_thread(&mut next, pc + 1, after, &mut caps, &mut stack);
                }
            }
            std::mem::swap(&mut current, &mut next);
        }
        current
            .dense
            .iter()
            .find(|&&pc| matches!(self.insts[pc], Inst::Match))
            .map(|&pc| current.caps[pc * ns..(pc + 1) * ns].to_vec())
    }

    /// Adds the thread at `start` and everything reachable from it without consuming input, in
    /// priority order, to `list`.
    fn add_thread(
        &self,
        list: &mut Threads,
        start: usize,
        pos: usize,
        caps: &mut [usize],
        stack: &mut Vec<Frame>,
    ) {
        let ns = caps.len();
        stack.push(Frame::Explore(start));
        while let Some(frame) = stack.pop() {
            let mut pc = match frame {
                Frame::Restore(slot, old) => {
                    caps[slot] = old;
                    continue;
                }
                Frame::Explore(pc) => pc,
            };
            while !list.contains(pc) {
                list.insert(pc);
                match self.insts[pc] {
                    Inst::Jmp(target) => pc = target,
                    Inst::Split(first, second) => {
                        stack.push(Frame::Explore(second));
                        pc = first;
                    }
                    Inst::Save(slot) => {
                        stack.push(Frame::Restore(slot, caps[slot]));
                        caps[slot] = pos;
                        pc += 1;
                    }
                    Inst::Char(_) | Inst::Class(_) | Inst::Match => {
                        list.caps[pc * ns..(pc + 1) * ns].copy_from_slice(caps);
                        break;
                    }
                }
            }
        }
    }
}

fn expression(parts: &[Part], index: usize) -> &Expression {
    match &parts[index] {
        Part::Expr(expr) => expr,
        Part::Literal { .. } => unreachable!("units refer to expressions"),
    }
}

/// Splits the region of an unnamed expression into values (rule 3 of the module docs).
fn decode_unnamed(expr: &Expression, text: &str, acc: &mut [Option<Slot>]) -> Option<()> {
    let op = expr.op;
    let sep = op.sep();
    let comma_separated = sep == ',';
    let k = expr.vars.len();
    let mut rest = Some(text);
    for (j, var) in expr.vars.iter().enumerate() {
        let Some(remaining) = rest else { break };
        let last = j + 1 == k;
        if last && var.explode {
            let items: Vec<&str> = remaining.split(sep).collect();
            assign(acc, var, exploded(&items)?, None)?;
            rest = None;
            break;
        }
        let item = if last && comma_separated {
            rest = None;
            remaining
        } else if let Some((item, tail)) = remaining.split_once(sep) {
            rest = Some(tail);
            item
        } else {
            rest = None;
            remaining
        };
        if var.explode {
            assign(acc, var, exploded(&[item])?, None)?;
        } else {
            scalar(acc, var, item)?;
        }
    }
    // Values left over (cannot happen with the compiled program, which bounds the item count).
    rest.is_none().then_some(())
}

/// Parses the region of a group of named expressions (rule 4 of the module docs).
fn decode_named(exprs: &[&Expression], text: &str, acc: &mut [Option<Slot>]) -> Option<()> {
    let sep = exprs[0].op.sep();
    let params: Vec<(&str, &str)> = text
        .split(sep)
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    let mut claimed = vec![false; params.len()];
    let mut absorber: Option<&VarSpec> = None;
    for var in exprs.iter().flat_map(|e| &e.vars) {
        if var.explode {
            let mut values = Vec::new();
            for (i, (name, value)) in params.iter().enumerate() {
                if *name == var.name {
                    claimed[i] = true;
                    values.push(decode(value)?);
                }
            }
            if values.is_empty() {
                absorber.get_or_insert(var);
            } else {
                assign(acc, var, Value::List(values), None)?;
            }
        } else {
            let mut found = None;
            for (i, (name, _)) in params.iter().enumerate() {
                if *name == var.name {
                    if found.is_some() {
                        // The same parameter twice for a single value: ambiguous.
                        return None;
                    }
                    found = Some(i);
                }
            }
            if let Some(i) = found {
                claimed[i] = true;
                scalar(acc, var, params[i].1)?;
            }
        }
    }
    let leftovers = params
        .iter()
        .zip(&claimed)
        .filter(|(_, claimed)| !**claimed)
        .map(|((name, value), _)| Some((decode(name)?, decode(value)?)))
        .collect::<Option<Vec<_>>>()?;
    if !leftovers.is_empty() {
        assign(acc, absorber?, Value::Assoc(leftovers), None)?;
    }
    Some(())
}

/// Decodes and records the value of a non-exploded variable.
fn scalar(acc: &mut [Option<Slot>], var: &VarSpec, raw: &str) -> Option<()> {
    let value = decode(raw)?;
    if let Some(n) = var.prefix
        && value.chars().count() > n
    {
        return None;
    }
    assign(acc, var, Value::String(value), var.prefix)
}

/// The value of an exploded variable in an unnamed expression: an associative array if every
/// item has a raw `=`, a list otherwise.
fn exploded(items: &[&str]) -> Option<Value> {
    if items.iter().all(|item| item.contains('=')) {
        items
            .iter()
            .map(|item| {
                let (k, v) = item.split_once('=')?;
                Some((decode(k)?, decode(v)?))
            })
            .collect::<Option<_>>()
            .map(Value::Assoc)
    } else {
        items
            .iter()
            .map(|item| decode(item))
            .collect::<Option<_>>()
            .map(Value::List)
    }
}

/// Records a value, checking it against earlier occurrences of the same variable.
fn assign(
    acc: &mut [Option<Slot>],
    var: &VarSpec,
    value: Value,
    prefix: Option<usize>,
) -> Option<()> {
    let slot = &mut acc[var.index];
    let Some(existing) = slot else {
        *slot = Some(Slot { value, prefix });
        return Some(());
    };
    match (&existing.value, &value) {
        (Value::String(old), Value::String(new)) => {
            // The occurrence with the longer (or no) prefix limit wins; the other must agree.
            let limit = |p: Option<usize>| p.unwrap_or(usize::MAX);
            let keep_new = limit(prefix) > limit(existing.prefix);
            let (narrow, narrow_limit, wide) = if keep_new {
                (old, existing.prefix, new)
            } else {
                (new, prefix, old)
            };
            let expected = match narrow_limit {
                Some(n) => truncate(wide, n, false),
                None => wide.as_str(),
            };
            if expected != narrow {
                return None;
            }
            if keep_new {
                *existing = Slot { value, prefix };
            }
            Some(())
        }
        _ => (existing.value == value).then_some(()),
    }
}

/// Percent-decodes `s`; `None` for a malformed escape or a result that is not UTF-8.
fn decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hi = hex(*b.get(i + 1)?)?;
            let lo = hex(*b.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
