// Presets: one click each, each a shareable URL fragment, with what to look for.
export const PRESETS = [
  {
    name: 'Decorrelation on digits: NP against DNP',
    fragment: 'v=1&data=mnist&rule=np&compare=dnp',
    text: 'Both networks start from the same weights and see the same batches of handwritten digits; DNP also learns, in front of every layer, a matrix R that decorrelates the layer\'s input (raw pixels are strongly correlated). Compare the test-accuracy curves per step: the paper\'s claim is that decorrelation makes perturbation learning faster. Each DNP step costs more time; the curves are per step.',
  },
  {
    name: 'Alignment: NP, INP and ANP from the same seed',
    fragment: 'v=1&data=circle&rule=np&hidden=16,16&compare=inp,anp',
    text: 'Three rules, identical data, initial weights and batches. The alignment chart shows how well each rule\'s update points along the true (backprop) gradient; the table under it splits it per layer. INP perturbs one layer at a time, so each layer is credited only with its own noise: its alignment is highest in the hidden layers. ANP uses the measured activity change and does best at the output.',
  },
  {
    name: 'Noise you cannot see: ANP clean against blind',
    fragment: 'v=1&data=circle&rule=anp&compare=anp:blind',
    text: 'In blind mode both forward passes are noisy and the noise itself is never observed, as on noisy analogue hardware. NP would need the noise; ANP only needs the measured change of the activities, so it still learns. Compare the two loss curves: blind ANP learns, a little more slowly.',
  },
  {
    name: 'Resampling: one noise draw against 4 and 16',
    fragment: 'v=1&data=xor&rule=np&hidden=16,16&compare=np:k4,np:k16',
    text: 'Each step averages K independent noise draws. More draws give an update better aligned with the true gradient (roughly like the square root of K) at K times the cost of the noisy passes. Watch the alignment chart and the loss per step.',
  },
  {
    name: 'Step units: only perturbation can train them',
    fragment: 'v=1&data=xor&rule=np&act=step&hidden=16&sigma=0.1',
    text: 'Hard step (sign) units have a derivative of zero everywhere, so backpropagation has no gradient to follow: BP is listed as unavailable in the rule menu, with the reason. Node perturbation only needs the loss change that noise causes, so it trains the same network: watch the decision boundary form out of straight-edged regions.',
  },
];
