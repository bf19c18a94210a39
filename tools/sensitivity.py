"""Measures how much each tensor of a sentence-transformers model matters to its embeddings, and compares the
embeddings of a compressed-then-unpacked model with the original's.

Usage:
  python tools/sensitivity.py MODEL_DIR -o sens.json [--inputs random|sentences] [--batches 20] [--batch-size 8]
                              [--seq-len 64] [--sentences FILE] [--noise 0.1] [--seed 0] [--threads N]
  python tools/sensitivity.py --evaluate ORIGINAL_DIR UNPACKED.safetensors [--inputs sentences|random]
                              [--sentences FILE] [--sensitivity sens.json] [--json]

MODEL_DIR is a Hugging Face folder: config.json, the tokenizer, model.safetensors (or shards listed in
model.safetensors.index.json) and the sentence-transformers files (modules.json, 1_Pooling/config.json).
The embedding is computed as sentence-transformers does: the pooling of 1_Pooling/config.json (mean over the
attention mask by default) of the last hidden state, then L2 normalisation when modules.json lists Normalize.

Inputs (--inputs): "random" is `batches × batch-size` sequences of `seq-len` random token IDs (seeded, special
tokens excluded, attention mask all ones); "sentences" is the sentences file (default tools/sentences.txt, one
a line), `batch-size` a batch, tokenized with the model's tokenizer: padded, truncated at max_seq_length, with
its attention mask. Measuring defaults to random, --evaluate to sentences; the same options give both the
same batches, so a prediction can be checked on the inputs its β came from.

Sensitivity: for one tensor t at a time, Gaussian noise of standard deviation `noise × RMS` is added, the RMS
taken per output row (dimension 0) for tensors of two or more dimensions and over the whole tensor for the
others. On the inputs it measures

    β_t = mean over sequences of (1 − cos(e, e_t)) / ε_t²,   ε_t² = Σ noise² / Σ w²,

e the original embedding and e_t the embedding with the noisy tensor. To first order the damage of noise in
several tensors adds up: 1 − cos ≈ Σ_t β_t ε_t². A float tensor whose noise leaves every embedding bit for bit
unchanged (a pooler that mean pooling never reads), one that is all zeros, or one the model does not load gets
the median β of the measured tensors and is listed in "filled_with_median"; so is a tensor whose noise moves
the embeddings by float32 rounding only (mean 1 − cos below 1e-10), such as an attention key bias, which the
softmax cancels. Integer tensors are skipped. The JSON:

    {"schema": "weightpack.sensitivity/1", "model": <folder name>, "inputs": "random", "noise": 0.1,
     "batches": 20, "batch_size": 8, "seq_len": 64, "seed": 0, "tensors": {<name as in the file>: β, ...},
     "filled_with_median": [<name>, ...]}

with "sentences": <count>, "batch_size" in place of "batches", "batch_size", "seq_len" for --inputs sentences.

Evaluation: the mean and minimum cosine between the original's embeddings and those with UNPACKED's weights
on the inputs; with --sensitivity also Σ_t β_t ε_t², ε_t² = Σ (w' − w)² / Σ w² of each float tensor of
UNPACKED against the original, in float64.

Cost: one forward pass per tensor and batch, under torch.no_grad. The original embeddings are computed once,
and for a tensor read inside transformer layer k the layers before k are not recomputed: they return their
recorded outputs (checked bit for bit against a full pass; on a mismatch every layer runs). The seed fixes
the tokens, and each tensor's noise is seeded by the seed and the tensor's name, so results do not depend on
the order of the tensors.

Requires torch, transformers and safetensors. Exit codes: 0 success, 1 bad input, 2 usage.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time
import zlib

try:
    import torch
    from safetensors import safe_open
    from transformers import AutoModel, AutoTokenizer
except ImportError as missing:
    sys.exit(f"error: {missing}; this tool needs torch, transformers and safetensors "
             "(pip install torch transformers safetensors)")

SCHEMA = "weightpack.sensitivity/1"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SENTENCES = os.path.join(HERE, "sentences.txt")
# A mean 1 − cos below this is float32 rounding, not an effect of the noise: an attention key bias, which the
# softmax cancels, measures about 1e-13 at noise 0.1, while the least sensitive used tensors measure above 1e-6.
ROUNDING_FLOOR = 1e-10


class InputError(Exception):
    """A model folder or file that this tool cannot use; the message says which and why."""


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Per-tensor sensitivity of a sentence-transformers model's embeddings to weight noise, "
        "or the cosine between an unpacked model's embeddings and the original's (--evaluate).")
    parser.add_argument("model_dir", nargs="?", metavar="MODEL_DIR", help="model folder to measure")
    parser.add_argument("-o", "--output", metavar="FILE", help="where to write the sensitivity JSON")
    parser.add_argument("--inputs", choices=("random", "sentences"),
                        help="what to embed: random token IDs or the sentences file (default: random when measuring, "
                        "sentences with --evaluate)")
    parser.add_argument("--batches", type=int, help="with --inputs random, batches of random tokens (default 20)")
    parser.add_argument("--batch-size", type=int, default=8, help="sequences per batch (default 8)")
    parser.add_argument("--seq-len", type=int, help="with --inputs random, tokens per sequence (default 64)")
    parser.add_argument("--noise", type=float, default=0.1, help="noise deviation per unit of row RMS (default 0.1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the tokens and the noise (default 0)")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="torch threads (default: the cores this process may use)")
    parser.add_argument("--evaluate", nargs=2, metavar=("ORIGINAL_DIR", "UNPACKED"),
                        help="compare the embeddings of ORIGINAL_DIR with the same model holding UNPACKED's weights")
    parser.add_argument("--sentences", metavar="FILE",
                        help="with --inputs sentences, one sentence a line (default: tools/sentences.txt)")
    parser.add_argument("--sensitivity", metavar="FILE",
                        help="with --evaluate, also print the error Σ β·ε² that this sensitivity JSON predicts")
    parser.add_argument("--json", action="store_true", help="with --evaluate, print a JSON object")
    args = parser.parse_args(argv)
    if args.evaluate:
        if args.model_dir or args.output:
            parser.error("--evaluate takes ORIGINAL_DIR and UNPACKED itself; drop MODEL_DIR and -o.")
        args.inputs = args.inputs or "sentences"
    else:
        if not args.model_dir or not args.output:
            parser.error("measuring sensitivity needs MODEL_DIR and -o FILE (or use --evaluate ORIGINAL_DIR UNPACKED).")
        if args.json:
            parser.error("--json applies to --evaluate only; the sensitivity result is always JSON (-o).")
        if args.sensitivity:
            parser.error("--sensitivity applies to --evaluate only; -o names the sensitivity JSON this run writes.")
        if not args.noise > 0:
            parser.error(f"--noise must be positive, got {args.noise}.")
        args.inputs = args.inputs or "random"
    if args.inputs == "random":
        if args.sentences is not None:
            parser.error("--sentences applies to --inputs sentences only.")
        args.batches = 20 if args.batches is None else args.batches
        args.seq_len = 64 if args.seq_len is None else args.seq_len
    else:
        for flag in ("batches", "seq_len"):
            if getattr(args, flag) is not None:
                parser.error(f"--{flag.replace('_', '-')} applies to --inputs random only; with --inputs sentences "
                             "each sentence is one sequence, --batch-size of them a batch.")
        args.sentences = args.sentences or DEFAULT_SENTENCES
    for flag in ("batches", "batch_size", "seq_len", "threads"):
        if getattr(args, flag) is not None and getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be at least 1, got {getattr(args, flag)}.")
    return args


# Model folder: safetensors header, weights, sentence-transformers modules


def read_safetensors_header(path):
    """Returns {tensor name: {"dtype", "shape", ...}} of one safetensors file, in the file's order."""
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) != 8:
            raise InputError(f"{path}: {len(head)} bytes; a safetensors file starts with an 8-byte header length")
        size = int.from_bytes(head, "little")
        if size > min(100 << 20, os.path.getsize(path) - 8):
            raise InputError(f"{path}: header length {size} exceeds the file or the 100 MiB cap")
        header = json.loads(f.read(size))
    header.pop("__metadata__", None)
    return header


def weight_files(model_dir):
    """Returns {tensor name: (file path, dtype, shape)} over model.safetensors or its shards."""
    single = os.path.join(model_dir, "model.safetensors")
    index = single + ".index.json"
    if os.path.exists(single):
        paths = [single]
    elif os.path.exists(index):
        with open(index) as f:
            paths = sorted({os.path.join(model_dir, p) for p in json.load(f)["weight_map"].values()})
    else:
        raise InputError(f"{model_dir}: holds neither model.safetensors nor model.safetensors.index.json")
    files = {}
    for path in paths:
        for name, info in read_safetensors_header(path).items():
            files[name] = (path, info["dtype"], tuple(info["shape"]))
    return files


def is_float_dtype(dtype):
    return dtype in ("F64", "F32", "F16", "BF16") or dtype.startswith("F8")


def read_tensor(path, name):
    with safe_open(path, framework="pt") as f:
        return f.get_tensor(name)


def map_names(files, state):
    """Maps each safetensors tensor name to the model's state_dict key holding it.

    The keys may differ from the file's names by a leading prefix either way ("bert.x" against "x"); a name
    maps when exactly one key of the same shape is equal to it or differs from it by such a prefix. Names that
    map nowhere are left out. Raises InputError when a name matches several keys or the values differ.
    """
    mapping = {}
    for name, (path, _, shape) in files.items():
        if name in state:
            candidates = [name]
        else:
            candidates = [k for k in state if k.endswith("." + name) or name.endswith("." + k)]
        candidates = [k for k in candidates if tuple(state[k].shape) == shape]
        if len(candidates) > 1:
            raise InputError(f"tensor '{name}' matches several model keys: {', '.join(candidates)}")
        if candidates:
            mapping[name] = candidates[0]
    for name, key in mapping.items():
        stored = read_tensor(files[name][0], name).to(state[key].dtype)
        if not state[key].detach().equal(stored):
            raise InputError(f"tensor '{name}': the model's '{key}' does not hold the file's values")
    return mapping


def read_modules(model_dir):
    """Returns (pooling modes, normalize) from modules.json and the Pooling config; mean pooling when absent."""
    modes, normalize = ["mean_tokens"], False
    path = os.path.join(model_dir, "modules.json")
    if not os.path.exists(path):
        return modes, normalize
    with open(path) as f:
        modules = json.load(f)
    for module in modules:
        kind = module["type"].rsplit(".", 1)[-1]
        if kind == "Pooling":
            with open(os.path.join(model_dir, module["path"], "config.json")) as f:
                config = json.load(f)
            order = ["cls_token", "max_tokens", "mean_tokens", "mean_sqrt_len_tokens"]
            modes = [m for m in order if config.get("pooling_mode_" + m)]
            if not modes:
                raise InputError(f"{module['path']}/config.json: no pooling mode this tool knows is enabled")
        elif kind == "Normalize":
            normalize = True
        elif kind != "Transformer":
            raise InputError(f"modules.json: module '{module['name']}' of type {module['type']} is not supported "
                             "(only Transformer, Pooling and Normalize are)")
    return modes, normalize


def load_model(model_dir):
    """Loads the model in float32 eval mode with its tokenizer and sentence-transformers head."""
    if not os.path.isfile(os.path.join(model_dir, "config.json")):
        raise InputError(f"{model_dir}: no config.json; expected a Hugging Face model folder")
    model = AutoModel.from_pretrained(model_dir).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    modes, normalize = read_modules(model_dir)
    return model, tokenizer, modes, normalize


def embed(model, inputs, modes, normalize):
    """Sentence embeddings [batch, width] of `inputs` (a dict with input_ids and attention_mask)."""
    hidden = model(**inputs)[0]
    mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    parts = []
    for mode in modes:
        if mode == "cls_token":
            parts.append(hidden[:, 0])
        elif mode == "max_tokens":
            parts.append(hidden.masked_fill(mask == 0, -1e9).max(dim=1).values)
        else:
            total, count = (hidden * mask).sum(dim=1), mask.sum(dim=1).clamp(min=1e-9)
            parts.append(total / (count if mode == "mean_tokens" else count.sqrt()))
    out = torch.cat(parts, dim=-1)
    return torch.nn.functional.normalize(out, dim=-1) if normalize else out


def one_minus_cos(a, b):
    """Per-row 1 − cos(a, b) in float64, as |â − b̂|² / 2 of the unit vectors: no cancellation against 1, and
    exactly 0 for equal rows."""
    unit_a = torch.nn.functional.normalize(a.double(), dim=-1)
    unit_b = torch.nn.functional.normalize(b.double(), dim=-1)
    return (unit_a - unit_b).pow(2).sum(dim=-1) / 2


# Inputs: random token IDs or tokenized sentences


def random_batches(model, tokenizer, args):
    """`args.batches` batches of [batch_size, seq_len] token IDs drawn uniformly from the vocabulary without
    the special tokens, seeded by `args.seed`; attention masks all ones."""
    vocab = min(len(tokenizer), model.get_input_embeddings().num_embeddings)
    special = set(tokenizer.all_special_ids)
    allowed = torch.tensor([i for i in range(vocab) if i not in special])
    generator = torch.Generator().manual_seed(args.seed)
    batches = []
    for _ in range(args.batches):
        ids = allowed[torch.randint(len(allowed), (args.batch_size, args.seq_len), generator=generator)]
        batches.append({"input_ids": ids, "attention_mask": torch.ones_like(ids)})
    return batches


def read_sentences(path):
    try:
        with open(path, encoding="utf-8") as f:
            sentences = [line.strip() for line in f if line.strip()]
    except OSError as error:
        raise InputError(f"{path}: {error.strerror}")
    if not sentences:
        raise InputError(f"{path}: no sentences (one a line expected)")
    return sentences


def max_seq_length(model_dir, tokenizer):
    path = os.path.join(model_dir, "sentence_bert_config.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f).get("max_seq_length", 512)
    return min(tokenizer.model_max_length, 512)


def sentence_batches(model_dir, tokenizer, args):
    """The sentences of `args.sentences` in file order, `args.batch_size` a batch, tokenized as
    sentence-transformers does: padded to the batch's longest, truncated at the model's max_seq_length, with
    the tokenizer's attention mask (and token type IDs when it makes them)."""
    sentences = read_sentences(args.sentences)
    max_length = max_seq_length(model_dir, tokenizer)
    batches = []
    for start in range(0, len(sentences), args.batch_size):
        inputs = tokenizer(sentences[start:start + args.batch_size], padding=True, truncation=True,
                           max_length=max_length, return_tensors="pt")
        batches.append({k: v for k, v in inputs.items() if k in tokenizer.model_input_names})
    return batches


def input_batches(model_dir, model, tokenizer, args):
    """The batches `args.inputs` names: the same for a sensitivity run and an evaluation with the same options."""
    if args.inputs == "sentences":
        return sentence_batches(model_dir, tokenizer, args)
    return random_batches(model, tokenizer, args)


# Sensitivity


def find_layers(model):
    """The model's transformer blocks: its longest nn.ModuleList whose items share one type ([] if none)."""
    best = []
    for module in model.modules():
        if isinstance(module, torch.nn.ModuleList) and len(module) > len(best):
            if len({type(m) for m in module}) == 1:
                best = list(module)
    return best


def layers_before(model, layers, keys, inputs):
    """For each state_dict key, how many of `layers` finish before the first module holding the tensor starts,
    found by running `inputs` once with hooks. A tensor no module reads during the run gets len(layers)."""
    clock, starts, ends, handles = [0], {}, {}, []

    def tick():
        clock[0] += 1
        return clock[0]

    def started(name):
        def hook(module, args):  # returns None: a pre-hook's return value would replace the arguments
            if name not in starts:
                starts[name] = tick()
        return hook

    holders = {}
    for name, module in model.named_modules():
        handles.append(module.register_forward_pre_hook(started(name)))
        for tensor in list(module.parameters(recurse=False)) + list(module.buffers(recurse=False)):
            holders.setdefault(id(tensor), []).append(name)
    for index, layer in enumerate(layers):
        handles.append(layer.register_forward_hook(lambda m, a, o, index=index: ends.__setitem__(index, tick())))
    model(**inputs)
    for handle in handles:
        handle.remove()
    depth = {}
    for key, tensor in keys.items():
        first = min((starts.get(m, float("inf")) for m in holders.get(id(tensor), [""])))
        depth[key] = sum(1 for end in ends.values() if end < first)
    return depth


class LayerReplay:
    """Skips the first k layers by making each return the recorded output of layer k − 1 for the current batch.

    Valid while the tensor under noise is read only after layer k − 1 has finished: the earlier layers then
    compute exactly what was recorded. `advance` records at most one run of the batches per layer.
    """

    def __init__(self, layers):
        self.layers, self.k, self.outputs, self.batch = layers, 0, None, 0

    def advance(self, k, run_batches):
        """Records layer k − 1's outputs over `run_batches()` with the current replay, then replays k layers."""
        recorded = []
        handle = self.layers[k - 1].register_forward_hook(lambda m, a, output: recorded.append(output))
        try:
            run_batches()
        finally:
            handle.remove()
        self.outputs, self.k = recorded, k
        for index, layer in enumerate(self.layers):
            if index < k:
                layer.forward = self._replay
            else:
                layer.__dict__.pop("forward", None)

    def disable(self):
        for layer in self.layers:
            layer.__dict__.pop("forward", None)
        self.k, self.outputs = 0, None

    def _replay(self, *args, **kwargs):
        return self.outputs[self.batch]


def add_noise(weight, noise, generator):
    """Adds Gaussian noise of deviation `noise × RMS` to `weight` in place, the RMS per row (dimension 0) for
    two or more dimensions and over the tensor otherwise. Returns (Σ noise², Σ w²) in float64."""
    rows = weight.reshape(weight.shape[0], -1) if weight.dim() >= 2 else weight.reshape(1, -1)
    squares = rows.double().pow(2)
    rms = squares.mean(dim=1, keepdim=True).sqrt().to(weight.dtype)
    sample = torch.randn(rows.shape, generator=generator, dtype=weight.dtype) * (noise * rms)
    weight.add_(sample.reshape(weight.shape))
    return sample.double().pow(2).sum().item(), squares.sum().item()


def tensor_beta(weight, name, args, run):
    """β of one tensor: noise added, `run()` gives per-sequence 1 − cos and whether any embedding changed,
    weight restored bit for bit. Returns None when the tensor cannot be measured: all zeros, or unused (no
    embedding changed, or the mean 1 − cos is below ROUNDING_FLOOR)."""
    original = weight.detach().clone()
    generator = torch.Generator().manual_seed((args.seed << 32) ^ zlib.crc32(name.encode()))
    try:
        noise_energy, weight_energy = add_noise(weight.detach(), args.noise, generator)
        damage, changed = run()
    finally:
        weight.detach().copy_(original)
    if weight_energy == 0 or noise_energy == 0 or not changed or damage.mean().item() < ROUNDING_FLOOR:
        return None
    return damage.mean().item() / (noise_energy / weight_energy)


def measure(args):
    """Writes the sensitivity JSON of `args.model_dir` to `args.output` (format in the module docstring)."""
    started = time.perf_counter()
    model, tokenizer, modes, normalize = load_model(args.model_dir)
    files = weight_files(args.model_dir)
    state = model.state_dict(keep_vars=True)
    mapping = map_names(files, state)
    names = [name for name, (_, dtype, _) in files.items() if is_float_dtype(dtype)]
    batches = input_batches(args.model_dir, model, tokenizer, args)
    layers = find_layers(model)
    replay = LayerReplay(layers)

    def run_batches():
        outputs = []
        for index, inputs in enumerate(batches):
            replay.batch = index
            outputs.append(embed(model, inputs, modes, normalize))
        return outputs

    baseline = run_batches()

    def run():
        outputs = run_batches()
        damage = torch.cat([one_minus_cos(o, b) for o, b in zip(outputs, baseline)])
        return damage, any(not o.equal(b) for o, b in zip(outputs, baseline))

    depth = layers_before(model, layers, {n: state[mapping[n]] for n in names if n in mapping}, batches[0])
    order = sorted(names, key=lambda n: depth.get(n, 0))
    betas, unmeasured = {}, []
    for count, name in enumerate(order, 1):
        if name not in mapping:
            print(f"warning: the model does not load tensor '{name}'", file=sys.stderr)
            unmeasured.append(name)
            continue
        k = depth[name]
        if layers and k > replay.k:
            replay.advance(k, run_batches)
            replay.batch = 0
            if not embed(model, batches[0], modes, normalize).equal(baseline[0]):
                print(f"warning: skipping {k} layers changes the output; running every layer", file=sys.stderr)
                replay.disable()
                layers = []
        beta = tensor_beta(state[mapping[name]], name, args, run)
        if beta is None:
            unmeasured.append(name)
        else:
            betas[name] = beta
        shown = "unused or all zeros" if beta is None else f"β = {beta:.4g}"
        print(f"[{count}/{len(order)}] {name}: {shown} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    replay.disable()
    if not betas:
        raise InputError(f"{args.model_dir}: no tensor changed the embeddings; nothing to measure")
    median = statistics.median(betas.values())
    result = {
        "schema": SCHEMA,
        "model": os.path.basename(os.path.normpath(args.model_dir)),
        "inputs": args.inputs,
        "noise": args.noise,
    }
    if args.inputs == "random":
        result.update({"batches": args.batches, "batch_size": args.batch_size, "seq_len": args.seq_len})
    else:
        result.update({"sentences": sum(len(b["input_ids"]) for b in batches), "batch_size": args.batch_size})
    result.update({
        "seed": args.seed,
        "tensors": {name: betas.get(name, median) for name in names},
        "filled_with_median": [name for name in names if name in unmeasured],
    })
    with open(args.output, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(f"{len(betas)} tensors measured, {len(unmeasured)} filled with the median β {median:.4g}; "
          f"wrote {args.output} in {time.perf_counter() - started:.0f} s", file=sys.stderr)


# Evaluation


def load_unpacked(state, mapping, files, path):
    """Copies every float tensor of the original model from the safetensors file `path` into `state`.

    Returns {tensor name: ε²}, the relative error energy Σ (w' − w)² / Σ w² of each tensor in float64
    (0 for a bit-exact tensor; an all-zero original counts as 0 when unchanged and infinity otherwise)."""
    header = read_safetensors_header(path)
    wanted = [name for name in mapping if is_float_dtype(files[name][1])]
    missing = [name for name in wanted if name not in header]
    if missing:
        raise InputError(f"{path}: lacks {len(missing)} tensors of the original, first '{missing[0]}'")
    extra = sorted(set(header) - set(files))
    if extra:
        print(f"warning: {path}: ignoring {len(extra)} tensors the original lacks, first '{extra[0]}'",
              file=sys.stderr)
    errors = {}
    with safe_open(path, framework="pt") as f:
        for name in wanted:
            info = header[name]
            if tuple(info["shape"]) != files[name][2] or not is_float_dtype(info["dtype"]):
                raise InputError(f"{path}: tensor '{name}' is {info['dtype']} × {info['shape']}; "
                                 f"expected a float dtype × {list(files[name][2])}")
            target = state[mapping[name]].detach()
            loaded = f.get_tensor(name)
            error_energy = (loaded.double() - target.double()).pow(2).sum().item()
            weight_energy = target.double().pow(2).sum().item()
            errors[name] = error_energy / weight_energy if weight_energy else (0.0 if not error_energy else math.inf)
            target.copy_(loaded.to(target.dtype))
    return errors


def predicted_damage(path, errors):
    """Σ β_t ε_t² over the tensors of `errors` with β from the sensitivity JSON `path`, and its "inputs"."""
    try:
        with open(path) as f:
            sensitivity = json.load(f)
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable sensitivity JSON ({error})")
    if sensitivity.get("schema") != SCHEMA:
        raise InputError(f"{path}: schema is {sensitivity.get('schema')!r}, not '{SCHEMA}'")
    betas = sensitivity.get("tensors")
    if not isinstance(betas, dict):
        raise InputError(f"{path}: no \"tensors\" object of β by tensor name")
    unknown = [name for name, error in errors.items() if error > 0 and name not in betas]
    if unknown:
        print(f"warning: {path}: no β for {len(unknown)} changed tensors, counted as 0, first '{unknown[0]}'",
              file=sys.stderr)
    total = sum(betas[name] * error for name, error in errors.items() if error > 0 and name in betas)
    return total, sensitivity.get("inputs", "random")


def evaluate(args):
    """Prints the cosine between ORIGINAL_DIR's embeddings and those with UNPACKED's weights on the inputs of
    `args.inputs`, and with --sensitivity the damage its β predict."""
    original_dir, unpacked = args.evaluate
    if not os.path.isfile(unpacked):
        raise InputError(f"{unpacked}: no such file")
    model, tokenizer, modes, normalize = load_model(original_dir)
    files = weight_files(original_dir)
    state = model.state_dict(keep_vars=True)
    mapping = map_names(files, state)
    batches = input_batches(original_dir, model, tokenizer, args)
    reference = [embed(model, inputs, modes, normalize) for inputs in batches]
    errors = load_unpacked(state, mapping, files, unpacked)
    candidate = [embed(model, inputs, modes, normalize) for inputs in batches]
    damage = one_minus_cos(torch.cat(reference), torch.cat(candidate))
    result = {
        "inputs": args.inputs,
        "sequences": len(damage),
        "mean_cos": 1 - damage.mean().item(),
        "min_cos": 1 - damage.max().item(),
        "one_minus_mean_cos": damage.mean().item(),
    }
    if args.sensitivity:
        result["predicted"], result["sensitivity_inputs"] = predicted_damage(args.sensitivity, errors)
    if args.json:
        print(json.dumps(result))
        return
    kind = "sentences" if args.inputs == "sentences" else "random-token sequences"
    print(f"inputs:       {result['sequences']} {kind}")
    print(f"mean cos:     {result['mean_cos']:.9f}")
    print(f"min cos:      {result['min_cos']:.9f}")
    print(f"1 - mean cos: {result['one_minus_mean_cos']:.3e}")
    if args.sensitivity:
        ratio = result["predicted"] / result["one_minus_mean_cos"] if result["one_minus_mean_cos"] else math.inf
        print(f"predicted:    {result['predicted']:.3e} (Σ β·ε², β on {result['sensitivity_inputs']} inputs; "
              f"{ratio:.2f} × measured)")


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        with torch.no_grad():
            if args.evaluate:
                evaluate(args)
            else:
                measure(args)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
