//! Sweeps (issue 19): the spec read from a link and from the CLI's flags, the cells' order,
//! shards that partition the cells, merging (and its refusals), and every cell being exactly the
//! run of its configuration string (`np-playground run` gives the same checksum).

use std::process::Command;

use np_playground::data::Sources;
use np_playground::run::RunConfig;
use np_playground::run::config::ConfigError;
use np_playground::run::link::{self, Link};
use np_playground::run::sweep::{self, Cell, Metric, Sweep, SweepItems};

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_np-playground")).args(args).output().unwrap()
}

fn stdout(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The problems' keys and values, and their messages.
fn named(problems: &[ConfigError]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

fn link_sweep(fragment: &str) -> Sweep {
    let l = Link::parse(fragment);
    assert!(l.problems.is_empty(), "{fragment}: {}", named(&l.problems));
    l.sweep.unwrap_or_else(|| panic!("{fragment}: no sweep"))
}

// ---------------------------------------------------------------------------------------------
// The spec.

#[test]
fn the_link_form_gives_keys_values_steps_and_metric() {
    let s = link_sweep(
        "v=1&data=xor&sweep=lr:0.003,0.010,0.03;sigma:0.001,0.01,0.1&sweep_steps=300&sweep_metric=test_loss",
    );
    let keys: Vec<&str> = s.axes.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, ["lr", "sigma"]);
    assert_eq!(s.axes[0].values, ["0.003", "0.01", "0.03"], "values canonical, as the codec writes them");
    assert_eq!(s.axes[1].values, ["0.001", "0.01", "0.1"]);
    assert_eq!((s.steps, s.metric), (300, Metric::TestLoss));
    assert_eq!(s.rules, ["np"], "the link's rule");
    assert_eq!(s.seeds, [1], "the link's seed");
    assert_eq!(s.cell_count(), 9);
    // Defaults: 1,000 steps, test accuracy.
    let d = link_sweep("v=1&sweep=lr:0.01,0.1");
    assert_eq!((d.steps, d.metric), (sweep::DEFAULT_SWEEP_STEPS, Metric::TestAccuracy));
    for m in Metric::ALL {
        assert_eq!(link_sweep(&format!("v=1&sweep=lr:0.01,0.1&sweep_metric={}", m.key())).metric, m);
    }
}

#[test]
fn rules_and_seeds_come_from_the_link_unless_the_sweep_names_them() {
    let s = link_sweep("v=1&seed=7&rule=np&compare=bp,anp:blind&seeds=3&sweep=sigma:0.01,0.1");
    assert_eq!(s.rules, ["np", "bp", "anp:blind"]);
    assert_eq!(s.seeds, [7, 8, 9]);
    let s = link_sweep("v=1&rule=np&compare=bp&seeds=3&sweep=rules:inp,np:k4;lr:0.01,0.1;seeds:5,2");
    assert_eq!(s.rules, ["inp", "np:k4"]);
    assert_eq!(s.seeds, [5, 2]);
    assert_eq!(s.base.rule.key(), "inp", "the base carries the first rule");
    assert_eq!(s.base.seed, 5, "and the first seed");
}

#[test]
fn bad_items_are_reported_by_name_and_left_out_the_rest_applies() {
    let l = Link::parse(
        "v=1&data=circle&hidden=8,8&sweep=lr:0.01,abc,-1,0.1;foo:1,2;sigma:0.01,0.1;width:4,8;rules:np,zz;seeds:1,x&sweep_steps=0&sweep_metric=accuracy",
    );
    let msgs = named(&l.problems);
    for (key, value, says) in [
        ("sweep", "abc", "lr=abc: expected a number"),
        ("sweep", "-1", "lr=-1: expected a number in (0, 10]"),
        ("sweep", "foo", "not a key a sweep can vary"),
        ("sweep", "width", "at most 2 keys"),
        ("sweep", "zz", "not a rule"),
        ("sweep", "x", "seeds: expected a whole number"),
        ("sweep_steps", "0", "expected a whole number of steps"),
        ("sweep_metric", "accuracy", "expected one of test_accuracy, test_loss, train_loss, alignment"),
    ] {
        assert!(
            l.problems.iter().any(|p| p.key == key && p.value == value && p.message.contains(says)),
            "expected {key}={value}: …{says}… among\n{msgs}"
        );
    }
    let s = l.sweep.expect("the rest applies");
    assert_eq!(s.axes.len(), 2);
    assert_eq!((s.axes[0].key.as_str(), s.axes[0].values.clone()), ("lr", vec!["0.01".to_string(), "0.1".into()]));
    assert_eq!(s.axes[1].key, "sigma");
    assert_eq!((s.rules.clone(), s.seeds.clone()), (vec!["np".to_string()], vec![1]));
    assert_eq!((s.steps, s.metric), (sweep::DEFAULT_SWEEP_STEPS, Metric::TestAccuracy));
    // The link's own keys are untouched by a bad sweep.
    assert_eq!(l.config.hidden_sizes, [8, 8]);
    // Sweep keys without a sweep.
    let l = Link::parse("v=1&sweep_steps=100");
    assert!(l.sweep.is_none());
    assert!(named(&l.problems).contains("sweep_steps=100: no sweep= in the link"), "{}", named(&l.problems));
    // Nothing left to sweep.
    let l = Link::parse("v=1&sweep=lr:abc");
    assert!(l.sweep.is_none());
    assert!(named(&l.problems).contains("nothing to sweep"), "{}", named(&l.problems));
    // A repeated value runs once, said.
    let l = Link::parse("v=1&sweep=lr:0.01,0.010");
    assert_eq!(l.sweep.unwrap().axes[0].values, ["0.01"]);
    assert!(named(&l.problems).contains("listed twice"), "{}", named(&l.problems));
}

#[test]
fn hidden_widths_one_layer_or_every_layer() {
    let s = link_sweep("v=1&hidden=8,8&sweep=hidden2:4,16;width:2,32");
    let configs: Vec<Vec<usize>> = s.cells().iter().map(|c| c.config.hidden_sizes.clone()).collect();
    // width is applied after hidden2 (the keys' order), so it sets both layers.
    assert_eq!(configs, [vec![2, 2], vec![32, 32], vec![2, 2], vec![32, 32]]);
    let s = link_sweep("v=1&hidden=8,8&sweep=hidden1:4,16");
    let configs: Vec<Vec<usize>> = s.cells().iter().map(|c| c.config.hidden_sizes.clone()).collect();
    assert_eq!(configs, [vec![4, 8], vec![16, 8]]);
    let l = Link::parse("v=1&hidden=8,8&sweep=hidden3:4,16;lr:0.01,0.1");
    assert!(
        named(&l.problems).contains("hidden3=4: the network has 2 hidden layer(s) (hidden=8,8)"),
        "{}",
        named(&l.problems)
    );
    let l = Link::parse("v=1&hidden=8&sweep=width:0,2000,4");
    assert!(named(&l.problems).contains("width=2000: expected a width from 1 to 1024"), "{}", named(&l.problems));
}

#[test]
fn a_combination_that_cannot_run_refuses_the_sweep_naming_the_cell() {
    // Each value runs with the link's other settings (n=400, train=0.5: 200 training points;
    // batch=10), but batch 100 with n=100 (50 training points) cannot.
    let l = Link::parse("v=1&n=400&sweep=n:400,100;batch:10,100");
    assert!(l.sweep.is_none());
    let msgs = named(&l.problems);
    assert!(msgs.contains("the cell np, n=100, batch=100 cannot run") && msgs.contains("left out"), "{msgs}");
}

#[test]
fn the_cli_flags_build_the_same_sweep_strictly() {
    let base = RunConfig::parse("v=1&data=xor&rule=inp").unwrap();
    let items = SweepItems {
        rules: vec!["np".into(), "bp".into()],
        axes: vec![
            sweep::parse_grid_flag("lr=0.003,0.01").unwrap(),
            sweep::parse_grid_flag("sigma=0.001,0.01").unwrap(),
        ],
        seeds: vec!["1".into(), "2".into()],
        steps: Some("50".into()),
        metric: None,
    };
    let s = Sweep::build_strict(&base, items.clone()).unwrap();
    let from_link =
        link_sweep("v=1&data=xor&rule=np&compare=bp&seeds=2&sweep=lr:0.003,0.01;sigma:0.001,0.01&sweep_steps=50");
    assert_eq!(s, from_link);
    assert_eq!(s.id(), from_link.id());
    // Strict: the first problem refuses.
    let mut bad = items;
    bad.axes[1] = sweep::parse_grid_flag("sigma=0.001,2").unwrap();
    let e = Sweep::build_strict(&base, bad).unwrap_err();
    assert!(e.to_string().contains("sigma=2"), "{e}");
    assert!(sweep::parse_grid_flag("lr").unwrap_err().contains("--grid lr"));
    assert!(sweep::parse_grid_flag("lr=").unwrap_err().contains("no values"));
    assert_eq!(sweep::parse_shard("2/3"), Ok((2, 3)));
    for bad in ["0/3", "4/3", "1", "a/b", "1/0"] {
        assert!(sweep::parse_shard(bad).unwrap_err().contains(bad), "{bad}");
    }
}

#[test]
fn the_canonical_link_reads_back_as_the_same_sweep() {
    let s = link_sweep(
        "v=1&data=spiral&hidden=16,16&rule=np&compare=bp&seeds=2&sweep=lr:0.003,0.01;hidden2:4,8&sweep_steps=77&sweep_metric=alignment&workers=3",
    );
    assert_eq!(Sweep::parse_strict(&s.fragment()).unwrap(), s);
    let l = Link::parse(
        "v=1&data=spiral&hidden=16,16&rule=np&compare=bp&seeds=2&sweep=lr:0.003,0.01;hidden2:4,8&sweep_steps=77&sweep_metric=alignment&workers=3",
    );
    let again = Link::parse(&l.fragment());
    assert!(again.problems.is_empty(), "{}", named(&again.problems));
    assert_eq!(again.sweep, l.sweep);
    assert_eq!(again.view.workers, Some(3));
    // The page's reply carries the sweep with every cell.
    let r = link::reply(&l.fragment());
    let sr = r.sweep.expect("the reply has the sweep");
    assert_eq!(sr.cells.len(), s.cell_count());
    assert_eq!(sr.id, s.id());
    assert_eq!(r.workers, Some(3));
    for (rc, c) in sr.cells.iter().zip(s.cells()) {
        assert_eq!(rc.config, c.config.to_string());
    }
}

#[test]
fn workers_is_a_page_key_from_1_to_16() {
    assert!(link::PAGE_KEYS.contains(&"workers"));
    for key in ["sweep", "sweep_steps", "sweep_metric"] {
        assert!(link::PAGE_KEYS.contains(&key), "{key}");
    }
    assert_eq!(Link::parse("v=1&workers=16").view.workers, Some(16));
    for bad in ["0", "17", "x"] {
        let l = Link::parse(&format!("v=1&workers={bad}"));
        assert_eq!(l.view.workers, None);
        assert!(
            named(&l.problems).contains(&format!("workers={bad}: expected a whole number of workers from 1 to 16"))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Cells, shards, cost.

#[test]
fn cells_come_rules_first_then_the_first_key_the_second_then_the_seeds() {
    let s = link_sweep("v=1&rule=np&compare=bp&sweep=lr:0.003,0.01,0.03;sigma:0.001,0.1;seeds:4,5");
    let cells = s.cells();
    assert_eq!(cells.len(), 2 * 3 * 2 * 2);
    let mut i = 0;
    for rule in ["np", "bp"] {
        for lr in ["0.003", "0.01", "0.03"] {
            for sigma in ["0.001", "0.1"] {
                for seed in [4, 5] {
                    let c = &cells[i];
                    assert_eq!(c.index, i);
                    assert_eq!(
                        (c.rule.as_str(), c.values.clone(), c.seed),
                        (rule, vec![lr.to_string(), sigma.into()], seed)
                    );
                    let text = c.config.to_string();
                    for part in [
                        format!("rule={rule}&"),
                        format!("lr={lr}&"),
                        format!("sigma={sigma}&"),
                        format!("seed={seed}"),
                    ] {
                        assert!(text.contains(&part), "{text} has {part}");
                    }
                    // The codec's canonical string, which reads back as the same run.
                    assert_eq!(RunConfig::parse(&text).unwrap(), c.config);
                    assert_eq!(text, c.config.to_string());
                    i += 1;
                }
            }
        }
    }
    // A seed key instead of seeds.
    let s = link_sweep("v=1&sweep=seed:3,1;lr:0.01,0.1");
    let seeds: Vec<u64> = s.cells().iter().map(|c| c.config.seed).collect();
    assert_eq!(seeds, [3, 3, 1, 1]);
}

#[test]
fn shards_partition_the_cells_exactly() {
    let s = link_sweep("v=1&rule=np&compare=bp,inp&sweep=lr:0.003,0.01,0.03;sigma:0.001,0.01,0.1;seeds:1,2");
    let all = s.cells();
    assert_eq!(all.len(), 54);
    for n in 1..=7 {
        let mut seen = vec![0; all.len()];
        for i in 1..=n {
            let shard = s.shard(i, n);
            assert!(shard.windows(2).all(|w| w[0].index < w[1].index), "shard {i}/{n} in cell order");
            for c in &shard {
                assert_eq!(*c, all[c.index]);
                seen[c.index] += 1;
            }
            // Balanced: sizes differ by at most one.
            assert!(shard.len() == all.len() / n || shard.len() == all.len().div_ceil(n));
        }
        assert!(seen.iter().all(|&k| k == 1), "every cell in exactly one of {n} shards: {seen:?}");
    }
}

#[test]
fn the_page_refuses_a_grid_over_its_limit_with_the_figures_and_what_fits() {
    let l = Link::parse("v=1&data=mnist&rule=np&sweep=lr:0.001,0.003,0.01;sigma:0.001,0.01,0.1&sweep_steps=100000");
    assert!(l.sweep.is_none());
    let m = named(&l.problems);
    assert!(m.contains("too large for the page: 9 cells of 100000 steps") && m.contains("sweep_steps="), "{m}");
    // The suggested steps fit.
    let fit: String = m.split("sweep_steps=").nth(1).unwrap().chars().take_while(char::is_ascii_digit).collect();
    let l2 = Link::parse(&format!(
        "v=1&data=mnist&rule=np&sweep=lr:0.001,0.003,0.01;sigma:0.001,0.01,0.1&sweep_steps={fit}"
    ));
    assert!(l2.sweep.is_some(), "{}", named(&l2.problems));
    // The grid's cost is the cells' steps and evaluations: twice the steps, about twice the work.
    let s = l2.sweep.unwrap();
    let g = s.cost(&Sources::default()).unwrap();
    assert_eq!(g.cells, 9);
    assert!(g.work <= sweep::MAX_SWEEP_WORK);
    // The CLI is not held to the page's limit (it builds the same sweep).
    let base = RunConfig::parse("v=1&data=mnist&rule=np").unwrap();
    let items = SweepItems {
        axes: vec![
            sweep::parse_grid_flag("lr=0.001,0.003,0.01").unwrap(),
            sweep::parse_grid_flag("sigma=0.001,0.01,0.1").unwrap(),
        ],
        steps: Some("100000".into()),
        ..SweepItems::default()
    };
    let big = Sweep::build_strict(&base, items).unwrap();
    // Its lines merge (the canonical link is read without the page's limit).
    assert_eq!(Sweep::parse_strict(&big.fragment()).unwrap(), big);
    let lines: String = big
        .cells()
        .iter()
        .map(|c| {
            serde_json::json!({"sweep": big.fragment(), "sweep_id": big.id(), "cell": c.index, "config": c.config.to_string()})
                .to_string()
                + "\n"
        })
        .collect();
    assert_eq!(sweep::merge(&[("big".into(), lines.clone())]).unwrap(), lines);
    // Too many cells for the page.
    let l = Link::parse(
        "v=1&compare=bp,inp,anp&seeds=5&sweep=lr:1,2,3,4,5,6,7,8,9,10;n:20,30,40,50,60,70,80,90,100,110,120,130,140,150,160,170,180,190,200,210,220&sweep_steps=1",
    );
    assert!(named(&l.problems).contains("too many cells for the page: 4200"), "{}", named(&l.problems));
}

// ---------------------------------------------------------------------------------------------
// Running cells; the command line.

fn small() -> Sweep {
    link_sweep(
        "v=1&data=xor&hidden=8,8&rule=np&compare=bp&sweep=lr:0.003,0.03;sigma:0.001,0.1;seeds:1,2&sweep_steps=150",
    )
}

fn lines(s: &Sweep, cells: &[Cell]) -> String {
    cells.iter().map(|c| sweep::run_cell(s, c, &Sources::default()).unwrap().json_line() + "\n").collect()
}

#[test]
fn a_cell_is_the_run_of_its_config_string_same_checksum_as_np_playground_run() {
    // A diverging cell too (ReLU, SGD, lr 3): marked, and the same checksum as `run` reports.
    let s = link_sweep(
        "v=1&data=circle&hidden=8,8&act=relu&opt=sgd&rule=np&compare=bp&sweep=lr:0.01,3;sigma:0.01&sweep_steps=300",
    );
    let mut diverged = 0;
    for c in s.cells().iter() {
        let r = sweep::run_cell(&s, c, &Sources::default()).unwrap();
        let line: serde_json::Value = serde_json::from_str(&r.json_line()).unwrap();
        let out = cli(&["run", &r.config, "--steps", "300", "--json", "--every", "300"]);
        let text = String::from_utf8(out.stdout).unwrap();
        let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(last["checksum"], line["checksum"], "{}", c.describe(&s.axes));
        assert_eq!(line["config"], serde_json::Value::from(c.config.to_string()));
        // The fields of `run --json`'s final line, with the same values (the window of the means
        // is the whole run).
        for f in [
            "steps",
            "epoch",
            "train_loss",
            "test_loss",
            "train_accuracy",
            "test_accuracy",
            "batch_loss",
            "d_loss",
            "input_correlation",
            "config",
            "final",
        ] {
            assert_eq!(last[f], line[f], "{f} of {}", c.describe(&s.axes));
        }
        if r.diverged {
            diverged += 1;
            assert_eq!(out.status.code(), Some(3), "run reports the divergence too");
            assert!(line["value"].is_null() && line["error"].as_str().unwrap().contains("diverged at step"));
            assert_eq!(last["error"], line["error"]);
        } else {
            assert!(out.status.success());
            assert_eq!(line["value"], line["test_accuracy"]);
        }
    }
    assert_eq!(diverged, 1, "NP with SGD at lr 3 diverges, BP does not");
}

#[test]
fn the_cli_writes_every_cell_in_order_the_same_with_any_jobs_and_shards_merge_to_it() {
    let s = small();
    let want = lines(&s, &s.cells());
    let args = |extra: &[&str]| {
        let mut a = vec![
            "sweep",
            "v=1&data=xor&hidden=8,8&rule=np",
            "--grid",
            "lr=0.003,0.03",
            "--grid",
            "sigma=0.001,0.1",
            "--rules",
            "np,bp",
            "--seeds",
            "1,2",
            "--steps",
            "150",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| stdout(&cli(&args(extra).iter().map(String::as_str).collect::<Vec<_>>()));
    assert_eq!(run(&["--jobs", "1"]), want);
    assert_eq!(run(&["--jobs", "3"]), want);
    // Each cell's checksum is `run`'s.
    for line in want.lines().take(3) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let out = stdout(&cli(&["run", v["config"].as_str().unwrap(), "--steps", "150", "--json"]));
        let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        assert_eq!(last["checksum"], v["checksum"]);
    }
    // Three shards, merged in any order of files, give the unsharded output byte for byte.
    let dir = std::env::temp_dir().join(format!("np-sweep-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for i in 1..=3 {
        let text = run(&["--jobs", "2", "--shard", &format!("{i}/3")]);
        assert_eq!(text, lines(&s, &s.shard(i, 3)), "shard {i}/3");
        let f = dir.join(format!("shard{i}.jsonl"));
        std::fs::write(&f, text).unwrap();
        files.push(f.to_string_lossy().to_string());
    }
    let merged = stdout(&cli(&["sweep", "--merge", &files[2], &files[0], &files[1]]));
    assert_eq!(merged, want);
    // A missing shard is refused by the CLI with the cells named.
    let out = cli(&["sweep", "--merge", &files[0], &files[2]]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cells missing: 1 (np, lr=0.003, sigma=0.001, seed 2)"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
    // Bad arguments.
    for (a, says) in [
        (vec!["sweep", "v=1", "--grid", "lr=0.01,0.1"], "--steps N"),
        (vec!["sweep", "v=1", "--grid", "zz=1,2", "--steps", "5"], "zz"),
        (vec!["sweep", "v=1", "--grid", "lr=0.01,0.1", "--steps", "5", "--shard", "3/2"], "--shard 3/2"),
        (vec!["sweep", "v=1", "--grid", "lr=0.01,0.1", "--steps", "5", "--jobs", "0"], "--jobs"),
        (vec!["sweep", "--merge"], "--merge needs"),
    ] {
        let out = cli(&a);
        assert_eq!(out.status.code(), Some(2), "{a:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{a:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn merge_refuses_other_sweeps_missing_duplicated_or_altered_cells_naming_them() {
    let s = small();
    let cells = s.cells();
    let a = lines(&s, &s.shard(1, 2));
    let b = lines(&s, &s.shard(2, 2));
    let whole = lines(&s, &cells);
    let m = |files: &[(&str, &str)]| {
        sweep::merge(&files.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect::<Vec<_>>())
    };
    assert_eq!(m(&[("a", &a), ("b", &b)]).unwrap(), whole);
    assert_eq!(m(&[("b", &b), ("a", &a)]).unwrap(), whole);
    // Another sweep (other steps).
    let other = link_sweep(
        "v=1&data=xor&hidden=8,8&rule=np&compare=bp&sweep=lr:0.003,0.03;sigma:0.001,0.1;seeds:1,2&sweep_steps=151",
    );
    let c = lines(&other, &other.shard(2, 2));
    let e = m(&[("a", &a), ("c", &c)]).unwrap_err();
    assert!(
        e.contains("c line 1 is a cell of another sweep") && e.contains("than a line 1") && e.contains(&other.id()),
        "{e}"
    );
    // Missing cells.
    let e = m(&[("a", &a)]).unwrap_err();
    assert!(e.starts_with("8 of 16 cells missing: 1 (np, lr=0.003, sigma=0.001, seed 2)"), "{e}");
    assert!(e.contains("and 3 more"), "{e}");
    // A cell twice.
    let e = m(&[("a", &a), ("b", &b), ("b2", b.lines().nth(2).unwrap())]).unwrap_err();
    assert!(e.contains("cell 5 (np, lr=0.03, sigma=0.001, seed 2) is twice: b line 3 and b2 line 1"), "{e}");
    // A cell that did not run its config.
    let tampered = a.replacen("lr=0.003&batch", "lr=0.004&batch", 1);
    let e = m(&[("a", &tampered), ("b", &b)]).unwrap_err();
    assert!(e.contains("a line 1: cell 0 (np, lr=0.003, sigma=0.001, seed 1) ran") && e.contains("lr=0.004"), "{e}");
    // Not a line of a sweep.
    let e = m(&[("a", &a), ("x", "{\"steps\":3}\n")]).unwrap_err();
    assert!(e.contains("x line 1: not a cell of a sweep (no sweep_id)"), "{e}");
    let e = m(&[("x", "not json\n")]).unwrap_err();
    assert!(e.contains("x line 1: not a line of JSON"), "{e}");
    assert!(m(&[("a", "")]).unwrap_err().contains("no cells"));
    // A cell index beyond the sweep.
    let big = a.lines().next().unwrap().replacen("\"cell\":0,", "\"cell\":99,", 1);
    let e = m(&[("a", &big)]).unwrap_err();
    assert!(e.contains("cell 99, but the sweep has 16 cells"), "{e}");
}

#[test]
fn the_alignment_metric_measures_the_alignment_other_metrics_skip_it() {
    let s = link_sweep("v=1&data=xor&rule=np&sweep=lr:0.01,0.03&sweep_steps=40&sweep_metric=alignment");
    let r = sweep::run_cell(&s, &s.cells()[0], &Sources::default()).unwrap();
    let a = r.figures.alignment_all.expect("measured");
    assert_eq!(r.value, Some(a));
    assert!(a > 0.0 && a < 1.0);
    // Other metrics skip it, and the run (its checksum) is the same.
    let t = link_sweep("v=1&data=xor&rule=np&sweep=lr:0.01,0.03&sweep_steps=40&sweep_metric=train_loss");
    let q = sweep::run_cell(&t, &t.cells()[0], &Sources::default()).unwrap();
    assert_eq!(q.figures.alignment_all, None);
    assert_eq!(q.figures.checksum, r.figures.checksum);
    assert_eq!(q.value, Some(q.figures.train_loss));
}

#[test]
fn the_keys_named_in_messages_are_the_keys_a_sweep_can_vary() {
    use np_playground::run::codec::{Control, KEYS};
    for k in KEYS {
        let numeric = matches!(k.control, Control::Number { .. });
        assert_eq!(sweep::is_sweep_key(k.key), numeric, "{}", k.key);
        if numeric {
            assert!(sweep::SWEEP_KEYS.split(", ").any(|n| n == k.key), "{} is named in SWEEP_KEYS", k.key);
        }
    }
    for k in ["hidden1", "hidden8", "width"] {
        assert!(sweep::is_sweep_key(k));
    }
    assert!(!sweep::is_sweep_key("hidden9") && !sweep::is_sweep_key("hidden0") && !sweep::is_sweep_key("rule"));
}
