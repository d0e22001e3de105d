//! Times the stages of parsing one file (development aid).
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(&path).expect("read");
    let t = Instant::now();
    let mut n = 0usize;
    for ev in granit_parser::Parser::new_from_str(&text) {
        ev.expect("event");
        n += 1;
    }
    println!("granit events: {n} in {:?}", t.elapsed());
    let f = tmkit_syntax::SourceFile::new("x".into(), "x".into(), "x".into(), text.clone());
    let t = Instant::now();
    let node =
        tmkit_syntax::node::parse(&f, tmkit_syntax::FileId(0), &Default::default()).expect("parse");
    println!("node::parse in {:?}", t.elapsed());
    let t = Instant::now();
    let mut d = tmkit_syntax::decode::Decoder::new();
    let _ = d.document(&node);
    println!("decode in {:?}", t.elapsed());
}
