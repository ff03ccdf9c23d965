use ris_lsp::document::{Change, Document};
use ris_lsp::syntax::Span;
fn main() {
    let mut text = String::from("TY  - JOUR\nTI  - A record of many lines\n");
    for i in 0..40000 {
        text.push_str(&format!("M1  - Cited reference {i}, 2001, J Something 12:34\n"));
    }
    text.push_str("ER  - \n");
    let mut d = Document::new(&text, 0);
    let at = "TY  - JOUR\nTI  - A record".len();
    let t = std::time::Instant::now();
    let keys: usize = std::env::var("KEYS").ok().and_then(|k| k.parse().ok()).unwrap_or(50);
    for v in 0..keys {
        d.apply(
            vec![Change {
                range: Some(Span::new(at + v, at + v)),
                text: "x".into(),
            }],
            v as i32,
        );
        let _ = d.located_diagnostics(ris_lsp::document::Encoding::Utf16).len();
    }
    eprintln!("{:?} per key", t.elapsed() / keys.max(1) as u32);
}
