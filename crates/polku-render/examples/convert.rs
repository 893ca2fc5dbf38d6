//! Converts an SVG file to PNG or PDF with the bundled fonts, by the output's extension.
//!
//! `cargo run -p polku-render --example convert -- poster.svg poster.png [WIDTH_PX]`

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output, rest @ ..] = args.as_slice() else {
        std::process::exit(2);
    };
    let svg = polku_render::Svg(std::fs::read_to_string(input).expect("readable SVG"));
    let bytes = if output.ends_with(".pdf") {
        polku_render::svg_to_pdf(&svg).expect("PDF")
    } else {
        let width = rest.first().map_or(polku_render::DEFAULT_PNG_WIDTH, |w| {
            w.parse().expect("a width in pixels")
        });
        polku_render::svg_to_png(&svg, width).expect("PNG")
    };
    std::fs::write(output, bytes).expect("writable output");
}
