//! Every lesson chapter opens a link the page accepts as it is (no problem, no run left out), the
//! ids are unique, and `lesson=start` opens the first chapter.

use std::collections::HashSet;

use np_playground::run::link::Link;
use np_playground::view::lessons::{CHAPTERS, chapter};

#[test]
fn every_chapter_opens_a_link_the_page_accepts() {
    assert!(CHAPTERS.len() >= 7);
    let mut ids = HashSet::new();
    for c in CHAPTERS {
        assert!(ids.insert(c.id), "duplicate id {}", c.id);
        let link = Link::parse(&format!("{}&lesson={}", c.link, c.id));
        assert!(link.problems.is_empty(), "{}: {:?}", c.id, link.problems);
        assert_eq!(link.view.lesson.as_deref(), Some(c.id));
        // The text is there to read, and ends as a sentence.
        for text in [c.text, c.look, c.try_this] {
            assert!(text.len() > 40 && text.ends_with('.'), "{}: {text}", c.id);
        }
    }
    assert_eq!(chapter("start").map(|(i, c)| (i, c.id)), Some((0, CHAPTERS[0].id)));
    assert_eq!(chapter("blind").map(|(i, _)| i), CHAPTERS.iter().position(|c| c.id == "blind"));
    assert!(chapter("nope").is_none());
}

/// The chapters cover what the issue asked for: one neuron's noise, NP against BP, draws, INP
/// and ANP, blind noise, decorrelation on digits, step units, weight perturbation and the exact
/// derivative.
#[test]
fn the_path_covers_the_topics() {
    let links: Vec<Link> = CHAPTERS.iter().map(|c| Link::parse(c.link)).collect();
    let has = |f: &dyn Fn(&Link) -> bool| links.iter().any(f);
    assert!(has(&|l| l.config.hidden_sizes.iter().sum::<usize>() <= 4), "a tiny net");
    assert!(has(&|l| l.compare.iter().any(|r| r.label == "bp")), "NP against BP");
    assert!(has(&|l| l.compare.iter().any(|r| r.config.draws > 1)), "more draws");
    assert!(has(&|l| l.compare.iter().any(|r| r.label == "inp") && l.compare.iter().any(|r| r.label == "anp")));
    assert!(has(&|l| l.compare.iter().any(|r| r.label == "anp:blind")), "blind noise");
    assert!(has(&|l| l.config.data.is_digits() && l.compare.iter().any(|r| r.config.rule.decorrelated)));
    assert!(has(&|l| l.config.activation == np_playground::activation::Activation::Step), "step units");
    // Issue 18: NP against weight perturbation, and against the exact derivative (FG-A).
    assert!(has(&|l| l.config.rule.key() == "np" && l.compare.iter().any(|r| r.label == "wp")), "NP against WP");
    assert!(has(&|l| l.config.rule.key() == "np" && l.compare.iter().any(|r| r.label == "fga")), "NP against FG-A");
}

/// Each chapter points at a part of the page that exists: its `focus` selector names an element
/// of index.html by id or by its setting's `data-key`.
#[test]
fn every_chapter_points_at_a_part_of_the_page() {
    let page = include_str!("../index.html");
    for c in CHAPTERS {
        let attribute = if let Some(id) = c.focus.strip_prefix('#') {
            format!("id=\"{id}\"")
        } else if let Some(key) = c.focus.strip_prefix("[data-key=").and_then(|k| k.strip_suffix(']')) {
            format!("data-key=\"{key}\"")
        } else {
            panic!("{}: focus {} is neither #id nor [data-key=KEY]", c.id, c.focus);
        };
        assert!(page.contains(&attribute), "{}: index.html has no {attribute}", c.id);
    }
}
