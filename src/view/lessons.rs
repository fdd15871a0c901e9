//! The lessons: an ordered path of chapters, each a link (a configuration and its page keys) with
//! what to read, what to look for and one thing to try; the controls stay live throughout. Every
//! sentence states only what the chapter's own run shows or cites the project's own measurements
//! in docs/results.md with the configuration they were measured on; `tests/claims.rs` runs each
//! checkable sentence's configuration over several seeds (the list: docs/claims.md), and
//! `tests/lessons.rs` checks that every chapter's link is accepted as it is.

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
    /// The part of the page `look` talks about (a CSS selector of the page): the page outlines it
    /// and scrolls it into view beside the lesson.
    pub focus: &'static str,
}

/// The chapters, in order; `lesson=start` opens the first.
pub const CHAPTERS: &[Chapter] = &[
    Chapter {
        id: "noise",
        title: "1. One update, by noise",
        link: "v=1&data=gauss&hidden=2&rule=np&sigma=0.05&speed=slow",
        text: "This network has two hidden units. Node perturbation trains it without a backward pass: each step runs the minibatch twice, once clean and once with a little random noise \u{3b5} added to every unit's pre-activation, and compares the two losses. The loss change dL of a sample is one number, sent to every unit alike; each unit combines it with its own noise and each link with its own input x (the link's estimate is dL\u{b7}\u{3b5}/\u{3c3}\u{b2}\u{b7}x, averaged over the minibatch), so nothing has to travel backwards through the network. When the noisy pass does better on a sample (dL < 0), that sample's part of the update moves each unit's pre-activation toward the unit's own noise; when it does worse, away from it.",
        look: "Press \u{201c}Walk through this step\u{201d}: the diagram shows the clean pass, the noise on every node, the noisy pass, the loss change dL, each node's credit dL\u{b7}\u{3b5}/\u{3c3}\u{b2} and what it does to every link, one sub-step at a time, with the numbers of the sample in the noise panel.",
        try_this: "Set the noise \u{3c3} to 0.2 and walk through a step again: \u{3b5} and dL grow with it.",
        focus: "#network-panel",
    },
    Chapter {
        id: "np-vs-bp",
        title: "2. NP against backprop",
        link: "v=1&data=circle&hidden=8,8&rule=np&compare=bp&speed=10",
        text: "Both networks start from the same weights and see the same batches. Backprop (BP) computes the exact gradient; node perturbation's update is an estimate from one noisy pass, and points only partly along the gradient. The alignment chart shows the cosine between each rule's update and the exact gradient on the same batch: 1 means the same direction, 0 unrelated, and a negative value that the update pointed partly uphill on that batch. A single noisy estimate sometimes does (on this run about one NP step in seven); on average NP's cosine stays positive.",
        look: "BP's alignment is 1 by definition. NP's stays well below it (about 0.2 on this run), and NP's loss falls more slowly per step: a step that points only partly downhill gains less.",
        try_this: "Widen both hidden layers to 32: NP's alignment drops further (each unit's credit also carries the other units' noise). On the digits this project measured it falling 3.4 times from 16 to 256 units per layer (0.164 to 0.048; 784-w-w-10 networks at initialisation, batch 32, docs/results.md).",
        focus: "#alignment-panel",
    },
    Chapter {
        id: "draws",
        title: "3. More noise draws",
        link: "v=1&data=xor&hidden=16,16&rule=np&compare=np:k4,np:k16&speed=10",
        text: "Each step can average K independent noise draws instead of one: the estimate gets better aligned with the gradient as K grows. Each draw adds one noisy forward pass, while the clean pass is shared: a step runs 1 + K passes, 17 for K = 16 against 2 for K = 1.",
        look: "The alignment chart and table order the three runs by K: on this run K = 16 is about three times as well aligned as K = 1, less than sqrt(16) = 4. On the digits this project measured 3.4 times for NP from K = 1 to K = 16 (784-w-w-10 networks at initialisation, mean over widths 16 to 256 and batches 8 to 128, docs/results.md).",
        try_this: "Switch the x axis to forward passes: per pass, K = 1 is ahead, its loss lower than K = 16's after the same number of passes.",
        focus: "#alignment-panel",
    },
    Chapter {
        id: "inp-anp",
        title: "4. Iterative and activity-based NP",
        link: "v=1&data=circle&hidden=16,16&rule=np&compare=inp,anp&speed=10",
        text: "INP perturbs one layer per noisy pass, so each layer is credited only with the loss change of its own noise; a step runs 1 + L passes (4 here, with L = 3 layers). ANP uses the same two passes as NP, but credits the measured change of each pre-activation (the noise plus what earlier layers' noise caused), normalised over the whole network.",
        look: "The table under the alignment chart splits the alignment per layer: on this run INP is ahead of NP on the second hidden layer and the output layer, and on the first hidden layer most of the time; INP and ANP are both well ahead of NP on the output layer (on the digits too: grid means INP 0.630, ANP 0.595, NP 0.430 on the output layer of 784-w-w-10 networks at initialisation, docs/results.md). Yet ANP's loss ends above NP's here: its updates are less noisy but biased. Averaged over 200 noise draws on this run's training set, NP's and INP's updates point along the gradient (cosine above 0.9) and ANP's do not (below 0.8); an error that repeats at every step does not average away.",
        try_this: "Walk through a step with INP chosen as the rule: one noisy pass per layer, only that layer perturbed.",
        focus: "#alignment-panel",
    },
    Chapter {
        id: "blind",
        title: "5. Noise you cannot see",
        link: "v=1&data=xor&hidden=8,8&rule=anp&compare=anp:blind&speed=10",
        text: "On noisy analogue hardware the noise cannot be observed: both passes are noisy and nobody knows \u{3b5}. NP needs \u{3b5}, so it cannot run that way; ANP needs only the measured change of the activities between the two passes, so it can.",
        look: "Compare the two runs: here blind ANP learns about as well as clean ANP (both above 85% test accuracy after 2,000 steps, within 5 points of each other). On the digits this project measured 87.6% clean against 87.5% blind after 20 epochs (784-256-256-10, lr 0.001, 3 seeds, docs/results.md).",
        try_this: "Set the noise mode to blind and walk through a step: both passes are noisy, and the walk shows the measured changes between them, never \u{3b5}.",
        focus: "#curves-panel",
    },
    Chapter {
        id: "decorrelation",
        title: "6. Decorrelation on digits",
        link: "v=1&data=mnist14&rule=np&compare=dnp&lr=0.003&speed=max",
        text: "Neighbouring pixels are correlated (about 0.55 on these digits, against about 0.04 five pixels apart). DNP puts a matrix R in front of every layer that a local rule keeps adjusting to drive the off-diagonal second moments of the layer's inputs (the batch mean of x_i\u{b7}x_j for i \u{2260} j) toward zero; the weights are still trained by node perturbation. Both runs here use the learning rate 0.003.",
        look: "The correlation chart shows the input of layer 2, the outputs of the first hidden layer: DNP's falls to half of NP's or less within 2.5 epochs and stays there. Per step DNP learns faster: from half an epoch to 10 epochs its training loss stays below NP's and its test accuracy above, about 4 points ahead after 2.5 epochs. At the digits' default rate 0.001 the two stay within 3 points of each other here. Each DNP step costs more (R in front of the first layer is 196x196): switch the x axis to seconds.",
        try_this: "Compare ANP with DANP instead (rule anp, compare danp): decorrelation speeds ANP up too.",
        focus: "#correlation-box",
    },
    Chapter {
        id: "step-units",
        title: "7. Units only perturbation can train",
        link: "v=1&data=xor&hidden=16&act=step&rule=np&sigma=0.1&speed=10",
        text: "A step unit outputs +1 or -1, the sign of its input: its derivative is zero almost everywhere (and undefined where the sign flips), so backprop has no gradient to follow. Node perturbation only needs the loss change that noise causes, so it trains the same network.",
        look: "BP is greyed out in the rule menu and in Compare, with the reason. The alignment chart stays empty: it measures the cosine with the true gradient, which through step units is zero wherever it is defined, so there is no direction to compare with. The decision boundary forms out of straight-edged regions.",
        try_this: "Switch the activation back to tanh: BP becomes available again.",
        focus: "[data-key=rule]",
    },
    Chapter {
        id: "nodes-weights",
        title: "8. Why nodes, not weights",
        link: "v=1&data=circle&hidden=8,8&rule=np&compare=wp&speed=10",
        text: "Weight perturbation (WP) is the obvious alternative to node perturbation: add noise \u{3be} to every weight and bias instead of to every unit, run the minibatch once clean and once through the jittered weights, and move every weight along its own \u{3be}, scaled by the minibatch's loss change: G = dL\u{b7}\u{3be}/\u{3c3}\u{b2}. Both runs here start from the same weights and see the same batches. WP's draw of \u{3be} is shared by the whole minibatch, so its samples give it one probe; NP draws its own noise for every sample, so every sample is a probe of its own.",
        look: "WP's alignment stays well below NP's (about 0.07 against 0.2 on this run) and its loss falls more slowly. WP guesses a direction among all 114 weights and biases of this network, NP among its 18 units.",
        try_this: "Widen both hidden layers to 32: both alignments drop, WP's about three times (its weights and biases grow to 1,218), NP's less than twice (its units grow to 66).",
        focus: "#alignment-panel",
    },
    Chapter {
        id: "exact",
        title: "9. Noise against the exact derivative",
        link: "v=1&data=circle&hidden=8,8&rule=np&compare=fga&sigma=0.1&speed=10",
        text: "NP learns how the loss changes along its noise \u{3b5} = \u{3c3}u by a finite difference: it measures dL = L\u{303} \u{2212} L and credits each unit with dL/\u{3c3}\u{b7}u. The forward gradient in activity space (FG-A) takes a direction u on every unit of every sample too, but computes the exact derivative d of the loss along it with a forward-mode (tangent) pass beside the clean pass, and credits each unit with d\u{b7}u. From the same seed the two runs here draw the same u at every step, so they differ only by dL/\u{3c3} against d.",
        look: "At \u{3c3} = 0.1 NP's dL/\u{3c3} misses d by about a tenth on a typical sample of this run (the curvature: over a step of \u{3c3} the loss is not a straight line). The smaller \u{3c3}, the smaller that error, until float32 rounding of L\u{303} \u{2212} L takes over: on this run's samples the typical error is about 1% at \u{3c3} = 0.01, 0.1% at 0.001, 0.04% at 0.0001, and grows again below, to about 4% at \u{3c3} = 0.000001 (measured natively: the page's \u{3c3} stops at 0.0001). FG-A has no \u{3c3}: its run is the same at every setting.",
        try_this: "Set \u{3c3} to 1: NP's error grows to about 70% of d, its alignment drops and its loss falls far behind FG-A's. Set it to 0.0001: NP's loss curve lies on FG-A's.",
        focus: "#curves-panel",
    },
    Chapter {
        id: "sweep",
        title: "10. Where node perturbation works",
        link: "v=1&data=circle&hidden=8,8&act=relu&opt=sgd&rule=np&compare=bp&sweep=lr:0.003,0.01,0.03,0.1,0.3,1;sigma:0.001,0.01,0.1,1&sweep_steps=2000",
        text: "Whether NP learns depends on its settings together. This sweep trains the same network (ReLU units, plain SGD) for 2,000 steps at every pair of a learning rate lr and a noise \u{3c3}, NP beside BP, each cell a run of its own, coloured by its test accuracy. BP does not use \u{3c3}, so its cells are the same for every \u{3c3}.",
        look: "NP learns (above 85% test accuracy) at lr 0.01 and 0.03 for every \u{3c3} from 0.001 to 0.1, and at each of those rates the three noise levels end within 5 points of each other. So the good cells form a band across \u{3c3}, not a diagonal: NP divides its estimate by \u{3c3}\u{b2}, so a smaller noise gives an estimate of about the same size. At \u{3c3} = 1 NP learns at no rate (at most 75%): a noise that large is no longer a small perturbation, and NP's updates point less along the gradient (colour by alignment: 0.07 to 0.14 at \u{3c3} = 1, about 0.2 for smaller \u{3c3}, at the rates where no run diverges). Divergence begins at lr 0.1, where some NP runs blow up; from lr 0.3 NP diverges in every cell with \u{3c3} up to 0.01, and at lr 1 in every cell. BP learns (above 75%) at every rate here and never diverges. At the smallest rate, 0.003, NP ends within 3 points of BP: small steps average its noise out.",
        try_this: "Sweep the noise draws K instead of \u{3c3} (lr:0.01,0.03,0.1,0.3,1;draws:1,4,16): now the good cells form a diagonal. The largest rate at which NP learns grows with K, 0.03 for K = 1, 0.1 for K = 4 and 0.3 for K = 16: averaging draws makes the estimate less noisy, so a larger step is safe.",
        focus: "#sweep-panel",
    },
];

/// The chapter with `id` (`start`: the first), and its index.
pub fn chapter(id: &str) -> Option<(usize, &'static Chapter)> {
    if id == "start" {
        return CHAPTERS.first().map(|c| (0, c));
    }
    CHAPTERS.iter().enumerate().find(|(_, c)| c.id == id)
}
