//! The persona card beside a poster: who the journey belongs to, and what rests on evidence.
//!
//! Each item shows how many sources it cites; an item without evidence gets a hollow bullet
//! and muted italic text, so a guess looks like a guess.

use crate::i18n::field_label_key;
use polku_model::{Cited, Persona};

use crate::draw::{Ctx, color, size, style};
use crate::svg::{SvgWriter, TextStyle};

/// Inner padding of the card.
const PAD: f64 = 14.0;

/// Draws the card at (x, y), `w` wide and at least `min_h` tall; returns its height.
pub(crate) fn card(
    out: &mut SvgWriter,
    ctx: &Ctx<'_>,
    p: &Persona,
    x: f64,
    y: f64,
    w: f64,
    min_h: f64,
) -> f64 {
    let mut body = SvgWriter::new();
    let h = contents(&mut body, ctx, p, x + PAD, y + PAD, w - 2.0 * PAD) + 2.0 * PAD;
    let h = h.max(min_h);
    out.rect(x, y, w, h).rx(8.0).fill(color::CARD).end();
    out.rect(x, y, 5.0, h).fill(color::ACCENT).end();
    out.append(body);
    h
}

/// The card's contents; returns their height.
fn contents(out: &mut SvgWriter, ctx: &Ctx<'_>, p: &Persona, x: f64, y0: f64, w: f64) -> f64 {
    let tr = &ctx.tr;
    let mut y = y0;
    let kick = TextStyle::new(size::SMALL, color::ACCENT).bold();
    out.text_lines(
        x,
        y + kick.ascent(),
        &[tr.t("persona-label").to_uppercase()],
        &kick,
    );
    y += kick.leading() + 2.0;
    let name = TextStyle::new(24.0, color::INK).bold().leading_factor(1.15);
    let lines = name.wrap(&p.name, w);
    out.text_lines(x, y + name.ascent(), &lines, &name);
    y += name.height(lines.len()) + 2.0;
    if let Some(summary) = &p.summary {
        let st = TextStyle::new(size::BODY, color::MUTED);
        let lines = st.wrap(summary, w);
        out.text_lines(x, y + st.ascent(), &lines, &st);
        y += st.height(lines.len());
    }
    if let Some(t) = p.customer_type {
        y += 4.0;
        y += crate::draw::flow(
            out,
            x,
            y,
            w,
            &[crate::draw::Piece::outline(tr.customer_type(t))],
        );
    }
    if let Some(q) = &p.quote {
        y += 12.0;
        let st = TextStyle::new(13.0, color::INK)
            .italic()
            .leading_factor(1.35);
        let text = format!("”{}”", q.text.trim().trim_matches(['"', '”', '“']));
        let mut inner = SvgWriter::new();
        let h = crate::draw::text_block(
            &mut inner,
            x + 10.0,
            y,
            w - 10.0,
            &text,
            &st,
            marker(ctx, q).as_deref(),
        );
        out.rect(x, y + 1.0, 2.5, h - 2.0).fill(color::ACCENT).end();
        out.append(inner);
        y += h;
    }
    let present: Vec<_> = p
        .facts()
        .into_iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| (field_label_key(name), v)))
        .collect();
    if !present.is_empty() {
        y += 10.0;
        for (key, value) in present {
            y += 4.0;
            y += label(out, x, y, &tr.t(&key));
            y += item(out, ctx, x, y, w, value);
        }
    }
    let lists = p
        .lists()
        .map(|(name, items)| (field_label_key(name), items));
    for (key, items) in lists {
        if items.is_empty() {
            continue;
        }
        y += 12.0;
        y += label(out, x, y, &tr.t(&key));
        for it in items {
            y += 2.0;
            y += item(out, ctx, x, y, w, it);
        }
    }
    y - y0
}

/// A field label; returns its height.
fn label(out: &mut SvgWriter, x: f64, y: f64, text: &str) -> f64 {
    let st = TextStyle::new(size::SMALL, color::MUTED).bold();
    out.text_lines(x, y + st.ascent(), &[text.to_owned()], &st);
    st.leading() + 1.0
}

/// "3 sources" for a cited item.
fn marker(ctx: &Ctx<'_>, c: &Cited) -> Option<String> {
    (!c.evidence.is_empty()).then(|| ctx.tr.sources(c.evidence.len()))
}

/// A bulleted item: a filled bullet when cited, a hollow one and muted italics when not.
fn item(out: &mut SvgWriter, ctx: &Ctx<'_>, x: f64, y: f64, w: f64, c: &Cited) -> f64 {
    let cited = !c.evidence.is_empty();
    let st = if cited {
        style::BODY.leading_factor(1.28)
    } else {
        TextStyle::new(size::BODY, color::MUTED)
            .italic()
            .leading_factor(1.28)
    };
    let cy = y + st.leading() / 2.0;
    if cited {
        out.circle(x + 3.0, cy, 2.8).fill(color::ACCENT).end();
    } else {
        out.circle(x + 3.0, cy, 2.5)
            .fill("none")
            .stroke(color::FAINT, 1.0)
            .end();
    }
    crate::draw::text_block(
        out,
        x + 11.0,
        y,
        w - 11.0,
        &c.text,
        &st,
        marker(ctx, c).as_deref(),
    )
}
