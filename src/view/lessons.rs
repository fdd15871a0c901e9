//! The lessons: an ordered path of chapters, each a link (a configuration and its page keys) with
//! what to read, what to look for and one thing to try; the controls stay live throughout. Every
//! sentence states only what the page shows (or cites the project's own measurements in
//! docs/results.md); `tests/lessons.rs` checks that every chapter's link is accepted as it is.

use serde::Serialize;

/// One chapter.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Chapter {
    /// The chapter's id in `lesson=`.
    pub id: &'static str,
    pub title: &'static str,
    /// The configuration and page keys the chapter opens (no `lesson=`: the page adds it).
    pub link: &'static str,
    /// What to read first.
    pub text: &'static str,
    /// What to look for on the page.
    pub look: &'static str,
    /// One thing to change, and what it shows.
    pub try_this: &'static str,
}

/// The chapters, in order; `lesson=start` opens the first.
pub const CHAPTERS: &[Chapter] = &[
    Chapter {
        id: "noise",
        title: "1. One update, by noise",
        link: "v=1&data=gauss&hidden=2&rule=np&sigma=0.05&speed=slow",
        text: "This network has two hidden units. Node perturbation trains it without a backward pass: each step runs the minibatch twice, once clean and once with a little random noise \u{3b5} added to every unit's pre-activation, and compares the two losses. When the noisy pass happens to do better, each unit is pushed toward its own noise; when it does worse, away from it.",
        look: "Press \u{201c}Walk through this step\u{201d}: the diagram shows the clean pass, the noise on every node, the noisy pass, the loss change dL, each node's credit dL\u{b7}\u{3b5}/\u{3c3}\u{b2} and the change of every link, one sub-step at a time, with the numbers of the sample in the noise panel.",
        try_this: "Set the noise \u{3c3} to 0.2 and walk through a step again: \u{3b5} and dL grow with it.",
    },
    Chapter {
        id: "np-vs-bp",
        title: "2. NP against backprop",
        link: "v=1&data=circle&hidden=8,8&rule=np&compare=bp&speed=10",
        text: "Both networks start from the same weights and see the same batches. Backprop (BP) computes the exact gradient; node perturbation's update is an estimate from one noisy pass, and points only partly along the gradient. The alignment chart shows the cosine between each rule's update and the exact gradient on the same batch: 1 means the same direction, 0 unrelated.",
        look: "BP's alignment is 1 by definition. NP's stays well below it, and NP's loss falls more slowly per step: a step that points only partly downhill gains less.",
        try_this: "Widen both hidden layers to 32: NP's alignment drops further (each unit's credit also carries the other units' noise); this project measured it falling about 3.4x from 16 to 256 units on the digits (docs/results.md).",
    },
    Chapter {
        id: "draws",
        title: "3. More noise draws",
        link: "v=1&data=xor&hidden=16,16&rule=np&compare=np:k4,np:k16&speed=10",
        text: "Each step can average K independent noise draws instead of one. The estimate gets better aligned with the gradient, at K times the cost of the noisy passes.",
        look: "The alignment chart and table order the three runs by K. On the digits this project measured the alignment growing 2.9 to 3.5 times from K = 1 to K = 16, less than sqrt(16) = 4 (docs/results.md).",
        try_this: "Switch the x axis to forward passes: per pass, the extra draws no longer look free.",
    },
    Chapter {
        id: "inp-anp",
        title: "4. Iterative and activity-based NP",
        link: "v=1&data=circle&hidden=16,16&rule=np&compare=inp,anp&speed=10",
        text: "INP perturbs one layer per noisy pass, so each layer is credited only with the loss change of its own noise. ANP uses the same two passes as NP, but credits the measured change of each pre-activation (the noise plus what earlier layers' noise caused), normalised over the whole network.",
        look: "The table under the alignment chart splits the alignment per layer. On the digits this project measured INP best on the hidden layers, and INP and ANP both well above NP on the output layer, INP slightly ahead (docs/results.md).",
        try_this: "Walk through a step with INP chosen as the rule: one noisy pass per layer, only that layer perturbed.",
    },
    Chapter {
        id: "blind",
        title: "5. Noise you cannot see",
        link: "v=1&data=circle&hidden=8,8&rule=anp&compare=anp:blind&speed=10",
        text: "On noisy analogue hardware the noise cannot be observed: both passes are noisy and nobody knows \u{3b5}. NP needs \u{3b5}, so it cannot run that way; ANP needs only the measured change of the activities between the two passes, so it can.",
        look: "Compare the two loss curves. On the digits this project measured no difference between clean and blind ANP with one draw after 20 epochs (87.6% against 87.5%, docs/results.md).",
        try_this: "Walk through a step of the blind run (choose anp, noise mode blind): both passes are noisy and no \u{3b5} is ever shown.",
    },
    Chapter {
        id: "decorrelation",
        title: "6. Decorrelation on digits",
        link: "v=1&data=mnist14&rule=np&compare=dnp&speed=max",
        text: "Pixels are strongly correlated with their neighbours. DNP puts a matrix R in front of every layer that a local rule keeps adjusting so the layer's inputs become uncorrelated; the weights are still trained by node perturbation.",
        look: "The input-correlation chart shows DNP's layer inputs losing their correlation while NP's keep it. On the 28x28 digits this project measured DNP 7 points ahead of NP after 2.5 epochs, a lead that shrinks with training (docs/results.md). Each DNP step costs more time: switch the x axis to seconds.",
        try_this: "Compare ANP with DANP instead (rule anp, compare danp).",
    },
    Chapter {
        id: "step-units",
        title: "7. Units only perturbation can train",
        link: "v=1&data=xor&hidden=16&act=step&rule=np&sigma=0.1&speed=10",
        text: "A step unit outputs the sign of its input: its derivative is zero everywhere, so backprop has no gradient to follow. Node perturbation only needs the loss change that noise causes, so it trains the same network.",
        look: "BP is greyed out in the rule menu and in Compare, with the reason. The decision boundary forms out of straight-edged regions.",
        try_this: "Switch the activation back to tanh: BP becomes available again.",
    },
];

/// The chapter with `id` (`start`: the first), and its index.
pub fn chapter(id: &str) -> Option<(usize, &'static Chapter)> {
    if id == "start" {
        return CHAPTERS.first().map(|c| (0, c));
    }
    CHAPTERS.iter().enumerate().find(|(_, c)| c.id == id)
}
