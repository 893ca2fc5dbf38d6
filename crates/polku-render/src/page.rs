//! The page: paper sizes, fitting a layout to the paper's proportions, and the SVG document.

use crate::Paper;
use crate::svg::{N, SvgWriter};

/// The margin around the picture, in picture units.
pub(crate) const MARGIN: f64 = 36.0;

/// The narrowest layout: on A3 one unit is then 0.32 mm and body text about 11 pt. A sparse
/// map is drawn this large; a fuller one is drawn wider, down to the size of A3 at 0.25 mm per
/// unit (1680 units) and beyond.
const MIN_W: f64 = 1300.0;

/// How much wider each fitting attempt makes the layout.
const STEP: f64 = 1.07;

/// How many times the layout may be widened before the page grows to fit it instead.
const TRIES: i32 = 16;

/// Where a layout sits on the page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    /// The paper.
    pub paper: Paper,
    /// The width the layout was made for.
    pub content_w: f64,
    /// How far the layout is shifted right to centre it.
    pub content_x: f64,
    /// The viewBox width.
    pub view_w: f64,
    /// The viewBox height.
    pub view_h: f64,
}

impl Page {
    /// Finds the narrowest layout width (from [`MIN_W`], widening in steps) whose height, as
    /// `height_at` measures it, fits the paper's proportions.
    pub(crate) fn fit(paper: Paper, height_at: impl Fn(f64) -> f64) -> Page {
        let ratio = paper.ratio();
        let mut w = MIN_W;
        for _ in 0..TRIES {
            let h = height_at(w);
            if h <= w * ratio {
                return Page {
                    paper,
                    content_w: w,
                    content_x: 0.0,
                    view_w: w,
                    view_h: w * ratio,
                };
            }
            w *= STEP;
        }
        // Still too tall: keep the widest layout and widen the page around it.
        let h = height_at(w);
        let view_w = h / ratio;
        Page {
            paper,
            content_w: w,
            content_x: (view_w - w) / 2.0,
            view_w,
            view_h: h,
        }
    }

    /// Wraps drawn content into an SVG document of the paper's size.
    pub(crate) fn document(&self, body: SvgWriter) -> String {
        let (mm_w, mm_h) = self.paper.mm();
        let mut out = SvgWriter::new();
        out.raw(&format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{mm_w}mm\" height=\"{mm_h}mm\" viewBox=\"0 0 {} {}\" font-family=\"{}\">\n",
            N(self.view_w),
            N(self.view_h),
            crate::fonts::FAMILY,
        ));
        out.rect(0.0, 0.0, self.view_w, self.view_h)
            .fill("#ffffff")
            .end();
        out.append(body);
        out.raw("</svg>\n");
        out.finish()
    }
}
