//! The WebAssembly facade (`src/wasm/`) in a real browser: the trainer's JSON and arrays,
//! its errors as JS errors, the golden checksums with diagnostics on, and the charts drawn into
//! canvases. Runs in headless Chromium with
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --release --test wasm_browser`.
#![cfg(target_arch = "wasm32")]

mod golden;

use js_sys::{Float32Array, Function, JSON, Reflect};
use np_playground::wasm::{DataStore, Session, draw_chart, draw_histogram, parse_fragment};
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const XOR_8_8: &str = "v=1&data=xor&rule=danp&hidden=8,8";

/// Property `key` of a JS object.
fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or_else(|e| panic!("no property {key}: {e:?}"))
}

fn parse(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or_else(|e| panic!("not JSON ({e:?}): {json}"))
}

fn num(obj: &JsValue, key: &str) -> f64 {
    get(obj, key).as_f64().unwrap_or_else(|| panic!("{key} is not a number"))
}

fn string(obj: &JsValue, key: &str) -> String {
    get(obj, key).as_string().unwrap_or_else(|| panic!("{key} is not a string"))
}

/// The `message` of a thrown JS error.
fn message(e: JsError) -> String {
    let v = JsValue::from(e);
    assert!(v.is_instance_of::<js_sys::Error>(), "not a JS Error: {v:?}");
    string(&v, "message")
}

/// A session of one run of `config`.
fn trainer(config: &str) -> Session {
    session(config, &DataStore::new()).unwrap_or_else(|e| panic!("{config}: {}", message(e)))
}

fn session(config: &str, store: &DataStore) -> Result<Session, JsError> {
    Session::new(vec!["run".into()], vec![config.into()], store)
}

/// Advances `s` to `target` steps (in slices of 50 ms on `performance.now`, as the worker does),
/// and finishes the evaluations that calls for. A warning (a loss climbing far above its start)
/// is taken and training goes on, as in a link's replay.
fn run_to(s: &mut Session, target: u64) {
    let clock = Function::new_no_args("return performance.now()");
    loop {
        match s.advance(target as f64, 50.0, &clock) {
            0 => return,
            1 => continue,
            3 => assert!(s.take_warning().is_some(), "advance said 3 without a warning"),
            _ => panic!("diverged before step {target}"),
        }
    }
}

/// Calls a JS function body with the given arguments.
fn js(params: &str, body: &str, args: &[JsValue]) -> JsValue {
    let f = Function::new_with_args(params, body);
    let a = js_sys::Array::new();
    for x in args {
        a.push(x);
    }
    f.apply(&JsValue::NULL, &a).unwrap_or_else(|e| panic!("JS failed: {e:?}"))
}

/// Adds a `width x height` canvas with id `id` to the document (replacing one with that id).
fn add_canvas(id: &str, width: u32, height: u32) {
    js(
        "id, w, h",
        "const old = document.getElementById(id); if (old) old.remove();
         const c = document.createElement('canvas'); c.id = id; c.width = w; c.height = h;
         document.body.appendChild(c);",
        &[id.into(), width.into(), height.into()],
    );
}

/// `[opaque pixels, opaque non-white pixels, pixels within 12 of rgb]` of canvas `id`.
fn pixel_counts(id: &str, rgb: (u8, u8, u8)) -> (u32, u32, u32) {
    let v = js(
        "id, r, g, b",
        "const c = document.getElementById(id);
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
         let opaque = 0, colored = 0, near = 0;
         for (let i = 0; i < d.length; i += 4) {
           if (d[i + 3] === 0) continue;
           opaque++;
           if (d[i] !== 255 || d[i + 1] !== 255 || d[i + 2] !== 255) colored++;
           if (Math.abs(d[i] - r) <= 12 && Math.abs(d[i + 1] - g) <= 12 && Math.abs(d[i + 2] - b) <= 12) near++;
         }
         return [opaque, colored, near];",
        &[id.into(), rgb.0.into(), rgb.1.into(), rgb.2.into()],
    );
    let a = js_sys::Array::from(&v);
    let n = |i| a.get(i).as_f64().unwrap() as u32;
    (n(0), n(1), n(2))
}

#[wasm_bindgen_test]
fn summary_after_50_steps_has_finite_losses() {
    let mut t = trainer(XOR_8_8);
    run_to(&mut t, 50);
    assert_eq!(t.steps(), 50.0);
    assert!(!t.busy(), "the evaluation of step 50 is done");
    let s = parse(&t.summary(0, false).unwrap());
    assert_eq!(num(&s, "step"), 50.0);
    assert_eq!(string(&s, "checksum"), t.checksum(0).unwrap());
    assert_eq!(string(&s, "checksum").len(), 16);
    for key in ["train_loss", "test_loss", "train_accuracy", "test_accuracy", "batch_loss"] {
        let v = num(&s, key);
        assert!(v.is_finite(), "{key} = {v}");
    }
    assert!(num(&s, "train_loss") > 0.0);
    for key in ["train_accuracy", "test_accuracy"] {
        let v = num(&s, key);
        assert!((0.0..=1.0).contains(&v), "{key} = {v}");
    }
    assert!(get(&s, "diverged").is_null());
    // The canonical config keeps the requested widths.
    let config = t.config(0).unwrap();
    assert!(config.contains("hidden=8,8"), "{config}");
}

#[wasm_bindgen_test]
fn array_lengths_match_layer_widths() {
    for (config, batch) in [(XOR_8_8, 10u32), ("v=1&data=xor&rule=danp&hidden=8,8&batch=25", 25)] {
        let mut t = trainer(config);
        assert_eq!(t.layer_sizes(), vec![2, 8, 8, 2], "{config}");
        // Before any step there is no minibatch trace.
        assert_eq!(t.activations(1).length(), 0, "{config}");
        run_to(&mut t, 1);
        let sizes = t.layer_sizes();
        for (l, &n) in sizes.iter().enumerate().skip(1) {
            let h = t.activations(l);
            assert_eq!(h.length(), batch * n, "{config}: activations({l})");
            assert!(h.to_vec().iter().all(|v| v.is_finite()), "{config}: activations({l}) not finite");
        }
        assert_eq!(t.activations(0).length(), 0, "layer 0 is not a trained layer");
        assert_eq!(t.activations(4).length(), 0, "there is no layer 4");

        let p: Float32Array = t.plane(0, 16).unwrap_or_else(|e| panic!("{}", message(e)));
        assert_eq!(p.length(), 16 * 16);
        assert!(p.to_vec().iter().all(|v| (0.0..=1.0).contains(v)), "plane values are probabilities");
        // One map per node of the diagram: every unit of these narrow layers, the output's too.
        assert_eq!(t.node_maps(16).unwrap_or_else(|e| panic!("{}", message(e))).length(), 16 * 16 * (8 + 8 + 2));

        let pts = t.points().to_vec();
        assert_eq!(pts.len(), 4 * 400);
        assert!(pts.chunks(4).all(|q| (q[2] == 0.0 || q[2] == 1.0) && (q[3] == 0.0 || q[3] == 1.0)));
        assert!(pts.chunks(4).any(|q| q[3] == 0.0) && pts.chunks(4).any(|q| q[3] == 1.0), "both train and test points");
    }
}

#[wasm_bindgen_test]
fn bad_strings_become_js_errors_naming_the_key() {
    let store = DataStore::new();
    let m = message(session("rule=np&mode=blind", &store).err().expect("np with mode=blind must be refused"));
    assert!(m.contains("mode"), "{m}");
    let m = message(session("lr=abc", &store).err().expect("lr=abc must be refused"));
    assert!(m.starts_with("lr="), "{m}");
    // The digits come from the store given, not from an earlier call.
    let m = message(session("data=mnist", &store).err().expect("no digits in this store"));
    assert!(m.contains("MNIST"), "{m}");

    // A lenient link: the bad key is named and left out, the rest applies.
    let f = parse(&parse_fragment("hidden=8,,8&data=xor&at=50"));
    let problems = js_sys::Array::from(&get(&f, "problems"));
    assert_eq!(problems.length(), 1, "{f:?}");
    assert_eq!(string(&problems.get(0), "key"), "hidden");
    assert!(!string(&problems.get(0), "message").is_empty());
    assert_eq!(num(&f, "at"), 50.0);
    let config = string(&f, "config");
    assert!(config.starts_with("v=1&") && config.contains("data=xor") && config.contains("hidden=8,8"), "{config}");
    // The canonical string is accepted by the trainer as is.
    assert_eq!(trainer(&config).config(0).unwrap(), config);

    let f = parse(&parse_fragment("data=xor"));
    assert_eq!(js_sys::Array::from(&get(&f, "problems")).length(), 0);
    assert!(get(&f, "at").is_null());
}

#[wasm_bindgen_test]
fn golden_checksums_match_with_diagnostics_on() {
    for &(config, steps, want) in golden::RUNS {
        let mut t = trainer(config);
        // In uneven pieces, with deadlines: the bits do not depend on how the work is sliced.
        for target in [1, 70, 71, 200, steps] {
            run_to(&mut t, target);
        }
        assert_eq!(t.steps(), steps as f64);
        assert_eq!(
            t.checksum(0).unwrap(),
            format!("{want:016x}"),
            "{config} after {steps} steps (browser, diagnostics on)"
        );
        // The same run through the core with diagnostics off gives the same bits.
        assert_eq!(golden::checksum_after(config, steps), want, "{config} after {steps} steps (diagnostics off)");
    }
}

/// Two runs side by side stay in lockstep, and a session too large for the limits is refused
/// with the setting to lower.
#[wasm_bindgen_test]
fn sessions_run_in_lockstep_and_refuse_what_is_too_large() {
    let labels = vec!["np".to_string(), "inp".to_string()];
    let configs = vec!["data=xor&rule=np".to_string(), "data=xor&rule=inp".to_string()];
    let mut s = Session::new(labels, configs, &DataStore::new()).unwrap_or_else(|e| panic!("{}", message(e)));
    assert_eq!(s.count(), 2);
    run_to(&mut s, 40);
    let second = parse(&s.summary(1, false).unwrap());
    assert_eq!(num(&second, "step"), 40.0);
    assert_eq!(s.label(1).unwrap(), "inp");
    let big = vec!["data=xor&hidden=1024,1024,1024,1024&batch=200".to_string()];
    let m = message(Session::new(vec!["np".into()], big, &DataStore::new()).err().expect("too large"));
    assert!(m.contains("too large") && m.contains("limit"), "{m}");
}

/// A wide layer's node maps are its diagram's fixed subset: as many maps as the diagram shows.
#[wasm_bindgen_test]
fn node_maps_follow_the_diagrams_subset() {
    let mut t = trainer("v=1&data=xor&rule=np&hidden=300");
    let d = parse(&t.diagram());
    let shown = js_sys::Array::from(&get(&d, "shown"));
    let counts: Vec<u32> = shown.iter().map(|l| js_sys::Array::from(&l).length()).collect();
    assert_eq!(counts.len(), 3, "input, hidden and output layers: {counts:?}");
    assert!(counts[1] < 300, "a wide layer shows a subset: {counts:?}");
    let maps = t.node_maps(8).unwrap_or_else(|e| panic!("{}", message(e)));
    assert_eq!(maps.length(), 8 * 8 * (counts[1] + counts[2]));
}

/// Draws two series of `xs`/`ys` (row-major: points, series) into canvas `id`.
fn curves(id: &str, xs: &[f32], values: &[f32], names: &[&str], log_y: bool) -> Result<Vec<f64>, JsError> {
    let k = names.len();
    let n = values.len() / k;
    let all_xs: Vec<f32> = (0..k).flat_map(|_| xs.iter().copied()).collect();
    let ys: Vec<f32> = (0..k).flat_map(|j| (0..n).map(move |i| values[i * k + j])).collect();
    draw_chart(
        id,
        "loss",
        "step",
        "loss",
        log_y,
        None,
        None,
        1.0,
        names.iter().map(|s| s.to_string()).collect(),
        vec![n as u32; k],
        &all_xs,
        &ys,
        &[],
        &[],
    )
}

#[wasm_bindgen_test]
fn draw_chart_and_histogram_paint_the_canvas() {
    add_canvas("wasm-browser-curves", 480, 240);
    assert_eq!(pixel_counts("wasm-browser-curves", (8, 119, 189)).0, 0, "a new canvas is transparent");

    let steps: Vec<f32> = (0..50).map(|i| (i * 10) as f32).collect();
    // Two series, row-major (points, series).
    let values: Vec<f32> = (0..50).flat_map(|i| [1.0 / (1.0 + i as f32), 0.5 + 0.01 * i as f32]).collect();
    let names = ["train loss", "test loss"];
    let map =
        curves("wasm-browser-curves", &steps, &values, &names, false).unwrap_or_else(|e| panic!("{}", message(e)));
    assert_eq!(map.len(), 4, "{map:?}");
    assert!(map.iter().all(|v| v.is_finite()), "{map:?}");
    assert!(0.0 <= map[0] && map[0] < map[1] && map[1] <= 480.0, "{map:?}");
    assert_eq!((map[2], map[3]), (0.0, 490.0), "{map:?}");
    let (opaque, colored, near) = pixel_counts("wasm-browser-curves", (8, 119, 189));
    assert_eq!(opaque, 480 * 240, "the chart fills the canvas");
    assert!(colored > 0, "no non-white pixels");
    assert!(near > 50, "the first curve's colour is missing ({near} pixels)");

    // Log scale works too.
    let map = curves("wasm-browser-curves", &steps, &values, &names, true).unwrap_or_else(|e| panic!("{}", message(e)));
    assert!(map.iter().all(|v| v.is_finite()) && map[0] < map[1], "{map:?}");

    // Mismatched lengths and a missing canvas are errors, not panics.
    let e = draw_chart(
        "wasm-browser-curves",
        "l",
        "x",
        "y",
        false,
        None,
        None,
        1.0,
        vec!["a".into()],
        vec![3],
        &[0.0],
        &[0.0],
        &[],
        &[],
    )
    .expect_err("mismatched lengths");
    assert!(message(e).contains("do not match"));
    let e = curves("no-such-canvas", &steps, &values, &names, false).expect_err("missing canvas");
    assert!(message(e).contains("no-such-canvas"));

    add_canvas("wasm-browser-hist", 300, 150);
    let samples: Vec<f32> = (0..500).map(|i| ((i * 37) % 101) as f32 / 100.0 - 0.5).collect();
    draw_histogram("wasm-browser-hist", "weights", &samples, 20, 1.0).unwrap_or_else(|e| panic!("{}", message(e)));
    let (opaque, colored, near) = pixel_counts("wasm-browser-hist", (8, 119, 189));
    assert_eq!(opaque, 300 * 150);
    assert!(colored > 0, "no non-white pixels");
    assert!(near > 500, "the bars are missing ({near} pixels of the bar colour)");
    assert!(draw_histogram("no-such-canvas", "weights", &samples, 20, 1.0).is_err());
}

/// The worker's store (issue 17 items 2, 3 and 8): an upload is parsed once from its bytes and
/// kept by its id across sessions; a second table is a different run; a bad file leaves the
/// tables as they were; the run file written with the kept table reads back to the same link and
/// checksum, and a forged file's table is refused.
#[wasm_bindgen_test]
fn the_store_keeps_uploads_by_id_and_writes_and_reads_run_files() {
    let mut store = DataStore::new();
    let table = |k: usize| -> Vec<u8> {
        let mut t = String::from("a,b,c,label\n");
        for i in 0..60 {
            t += &format!("{},{},{},{}\n", i as f32 / 60.0, ((i * k) % 7) as f32 / 7.0, (i % 3) as f32, i % 2);
        }
        t.into_bytes()
    };
    let first = parse(&store.load_table(&table(1)));
    assert_eq!(get(&first, "ok"), JsValue::TRUE);
    assert_eq!((num(&first, "rows"), num(&first, "dim")), (60.0, 3.0));
    assert!(get(&first, "note").is_null(), "UTF-8");
    let id1 = string(&first, "table");
    let config = |id: &str| format!("v=1&data=upload&hidden=8&batch=5&table={id}");
    let mut a = session(&config(&id1), &store).unwrap_or_else(|e| panic!("{}", message(e)));
    // A second table: kept beside the one in use, and a different run.
    let id2 = string(&parse(&store.load_table(&table(2))), "table");
    assert_ne!(id1, id2);
    assert!(store.has_table(&id1) && store.has_table(&id2));
    // A bad file is reported and keeps the tables.
    let bad = parse(&store.load_table(b"a,b,label\n1,x,0\n"));
    assert_eq!(get(&bad, "ok"), JsValue::FALSE);
    assert!(store.has_table(&id1) && store.has_table(&id2));
    // Each run finds its table by id.
    let mut b = session(&config(&id2), &store).unwrap_or_else(|e| panic!("{}", message(e)));
    run_to(&mut a, 20);
    run_to(&mut b, 20);
    assert_ne!(a.checksum(0).unwrap(), b.checksum(0).unwrap());
    let m = message(session(&config("0123456789abcdef"), &store).err().expect("no such table"));
    assert!(m.contains("table=0123456789abcdef") && m.contains("not loaded"), "{m}");
    // b's table is in use: a third upload drops the first, keeps b's and the new one.
    let id3 = string(&parse(&store.load_table(&table(3))), "table");
    assert!(!store.has_table(&id1) && store.has_table(&id2) && store.has_table(&id3));
    // Export b at step 20 and import it: the same link at the step, the same checksum expected.
    let fragment = b.config(0).unwrap();
    let file = store
        .write_run_file(&fragment, 20.0, vec!["np".into()], vec![b.checksum(0).unwrap()])
        .unwrap_or_else(|e| panic!("{}", message(e)));
    let mut fresh = DataStore::new();
    let reply = parse(&fresh.read_run_file(&file));
    assert_eq!(get(&reply, "ok"), JsValue::TRUE, "{file}");
    assert!(get(&reply, "csv").is_null(), "the worker keeps the table itself");
    assert_eq!(string(&reply, "table"), id2);
    assert!(fresh.has_table(&id2));
    let back = string(&reply, "fragment");
    assert!(back.ends_with("&at=20") && back.contains(&format!("table={id2}")), "{back}");
    let expected = js_sys::Array::from(&get(&reply, "checksums"));
    assert_eq!(string(&expected.get(0), "checksum"), b.checksum(0).unwrap());
    let mut replay = session(back.trim_end_matches("&at=20"), &fresh).unwrap_or_else(|e| panic!("{}", message(e)));
    run_to(&mut replay, 20);
    assert_eq!(replay.checksum(0).unwrap(), b.checksum(0).unwrap());
    // A file whose table is not the one its config names opens nothing.
    let forged = file.replace("\"csv\":\"a,b,c,label\\n0,", "\"csv\":\"a,b,c,label\\n9,");
    assert_ne!(forged, file);
    let reply = parse(&DataStore::new().read_run_file(&forged));
    assert_eq!(get(&reply, "ok"), JsValue::FALSE, "{forged}");
}
