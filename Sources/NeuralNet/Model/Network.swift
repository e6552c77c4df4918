/// The reference network of design/model.md: a convolutional trunk (blocks 1–3),
/// the flattened features plus the depth one-hot, and fully connected blocks 4–6
/// with the output layer — or, for `.heads`, one such head per depth on a shared trunk.
///
/// Block ids: 1 conv1, 2 conv2, 3 conv3, 4 fc1, 5 fc2, 6 fc3 (the output layer has
/// no id and is never frozen by `freeze(blocks:)`). Tensor names follow PyTorch
/// (conv1.weight, bn1.running_mean, fc1.weight, out.bias; heads.2.fc1.weight).
public final class Network {
    /// The architecture.
    public let config: NetworkConfig
    /// True in training mode (batch statistics, dropout on), false in inference mode.
    public private(set) var isTraining = true

    /// Blocks 1–3, each a Sequential.
    let convBlocks: [Sequential]
    let flatten = Flatten()
    /// Appends the depth one-hot (`.depthInput` only).
    let append: AppendFeatures?
    /// One head per output: blocks 4–6 and the output layer, each a Sequential.
    let heads: [[Sequential]]

    /// A network with Kaiming-uniform weights and dropout generators drawn from `seed`.
    /// Throws `NeuralNetError.badArchitecture` when the configuration does not fit together.
    public convenience init(config: NetworkConfig, seed: UInt64) throws {
        try config.validate()
        var g = SeededGenerator(seed: seed)
        let c = config
        let (w1, w2, w3) = (c.convWidths[0], c.convWidths[1], c.convWidths[2])
        let k = c.kernelSize
        func dropout(_ p: Float) -> Dropout { Dropout(probability: p, seed: g.next()) }
        let conv1 = Sequential([
            Conv2D(inChannels: c.channels, outChannels: w1, kernelSize: k, generator: &g),
            Swish(), BatchNorm(features: w1), dropout(c.convDropout)
        ])
        let conv2 = Sequential([
            Conv2D(inChannels: w1, outChannels: w2, kernelSize: k, generator: &g),
            Swish(), MaxPool2D(kernelSize: c.poolSize), BatchNorm(features: w2),
            dropout(c.convDropout)
        ])
        let conv3 = Sequential([
            Conv2D(inChannels: w2, outChannels: w3, kernelSize: k, generator: &g),
            Swish(), BatchNorm(features: w3), dropout(c.convDropout)
        ])
        let headInput = c.trunkFeatures + (c.kind == .depthInput ? c.depths : 0)
        let (f1, f2, f3) = (c.fcWidths[0], c.fcWidths[1], c.fcWidths[2])
        var heads: [[Sequential]] = []
        for _ in 0..<c.outputs {
            heads.append([
                Sequential([
                    Linear(inFeatures: headInput, outFeatures: f1, generator: &g), Swish(),
                    BatchNorm(features: f1), dropout(c.fcDropout)
                ]),
                Sequential([
                    Linear(inFeatures: f1, outFeatures: f2, generator: &g), ReLU(),
                    BatchNorm(features: f2), dropout(c.fcDropout)
                ]),
                Sequential([Linear(inFeatures: f2, outFeatures: f3, generator: &g), ReLU()]),
                Sequential([Linear(inFeatures: f3, outFeatures: 1, generator: &g)])
            ])
        }
        self.init(config: c, convBlocks: [conv1, conv2, conv3], heads: heads)
    }

    init(config: NetworkConfig, convBlocks: [Sequential], heads: [[Sequential]]) {
        self.config = config
        self.convBlocks = convBlocks
        self.heads = heads
        append = config.kind == .depthInput ? AppendFeatures(extraFeatures: config.depths) : nil
    }

    /// A deep copy (weights, BatchNorm statistics, frozen flags, dropout generators, mode) for
    /// per-depth fine-tuning; gradients start at zero and no optimizer state is shared.
    public func copy() -> Network {
        let c = Network(
            config: config,
            convBlocks: convBlocks.map { $0.copy() as! Sequential },
            heads: heads.map { $0.map { $0.copy() as! Sequential } })
        c.isTraining = isTraining
        return c
    }

    /// Training mode: BatchNorm uses batch statistics and updates its running statistics, Dropout is on.
    public func train() { isTraining = true }

    /// Inference mode: BatchNorm uses running statistics, Dropout is the identity.
    public func eval() { isTraining = false }

    /// Every parameter (trunk first, then each head), for the optimizer.
    public var parameters: [Parameter] {
        convBlocks.flatMap { $0.parameters } + heads.flatMap { $0.flatMap { $0.parameters } }
    }

    /// Sets every parameter gradient to zero.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    /// The Sequentials of block `id` (1...6): one for conv blocks, one per head for fc blocks.
    func blocks(_ id: Int) -> [Sequential] {
        precondition(
            (1...6).contains(id), "Network: block ids are 1...6 (conv1, conv2, conv3, fc1, fc2, fc3), got \(id)")
        return id <= 3 ? [convBlocks[id - 1]] : heads.map { $0[id - 4] }
    }

    /// Freezes blocks (1 conv1 ... 6 fc3), e.g. `freeze(blocks: 1...2)`: their parameters get no
    /// gradient and no update, and their BatchNorm layers keep (and normalise with) their running statistics.
    public func freeze<S: Sequence<Int>>(blocks ids: S) { setFrozen(true, blocks: ids) }

    /// Unfreezes blocks frozen by `freeze(blocks:)`.
    public func unfreeze<S: Sequence<Int>>(blocks ids: S) { setFrozen(false, blocks: ids) }

    private func setFrozen<S: Sequence<Int>>(_ frozen: Bool, blocks ids: S) {
        for id in ids { for block in blocks(id) { block.setFrozen(frozen) } }
    }

    /// Sets `statisticsFrozen` of every BatchNorm: with `true`, training normalises with the running
    /// statistics and keeps them, while the affine parameters of blocks not frozen still train.
    public func freezeBatchNormStatistics(_ frozen: Bool = true) {
        for bn in batchNorms { bn.statisticsFrozen = frozen }
    }

    /// Whether every parameter of block `id` is frozen.
    public func isFrozen(block id: Int) -> Bool {
        blocks(id).allSatisfy { !$0.isTrainable }
    }

    /// The layers with saved tensors, by PyTorch-style name (conv1, bn1, ..., fc1, bn4, ..., out;
    /// heads are prefixed "heads.<d>." in the `.heads` variant).
    var namedLayers: [(String, any Layer)] {
        var named: [(String, any Layer)] = []
        func add(_ block: Sequential, _ names: [Int: String], prefix: String) {
            for (i, name) in names { named.append((prefix + name, block.layers[i])) }
        }
        add(convBlocks[0], [0: "conv1", 2: "bn1"], prefix: "")
        add(convBlocks[1], [0: "conv2", 3: "bn2"], prefix: "")
        add(convBlocks[2], [0: "conv3", 2: "bn3"], prefix: "")
        for (d, head) in heads.enumerated() {
            let prefix = config.kind == .heads ? "heads.\(d)." : ""
            add(head[0], [0: "fc1", 2: "bn4"], prefix: prefix)
            add(head[1], [0: "fc2", 2: "bn5"], prefix: prefix)
            add(head[2], [0: "fc3"], prefix: prefix)
            add(head[3], [0: "out"], prefix: prefix)
        }
        return named.sorted { $0.0 < $1.0 }
    }

    /// Every saved tensor (parameters and BatchNorm running statistics) by full name.
    public var namedTensors: [String: Tensor] {
        var all: [String: Tensor] = [:]
        for (name, layer) in namedLayers {
            for (key, t) in layer.state { all["\(name).\(key)"] = t }
        }
        return all
    }

    /// Names of the saved tensors that training can still change, sorted: those of every layer with
    /// a parameter not frozen (its BatchNorm running statistics included).
    public var trainableTensorNames: [String] {
        namedLayers.filter { $0.1.isTrainable }.flatMap { name, layer in layer.state.keys.map { "\(name).\($0)" } }
            .sorted()
    }

    /// Every parameter by full name (conv1.weight, ..., out.bias), sorted by name.
    public var namedParameters: [(String, Parameter)] {
        namedLayers.flatMap { name, layer in layer.parameters.map { ("\(name).\($0.name)", $0) } }
            .sorted { $0.0 < $1.0 }
    }

    /// Replaces the tensor with full name `name` (e.g. "bn2.running_var"); throws if unknown or of another shape.
    public func setTensor(_ name: String, _ value: Tensor) throws {
        guard let dot = name.lastIndex(of: "."),
            let layer = namedLayers.first(where: { $0.0 == String(name[..<dot]) })?.1
        else {
            throw NeuralNetError.unknownTensor(name: name, context: "not a tensor of this \(config.kind) network")
        }
        do {
            try layer.setState(String(name[name.index(after: dot)...]), value)
        } catch let NeuralNetError.shapeMismatch(_, expected, found, _) {
            throw NeuralNetError.shapeMismatch(name: name, expected: expected, found: found, context: "Network")
        }
    }

    /// The BatchNorm layers (bn1...bn5 of every head).
    var batchNorms: [BatchNorm] { namedLayers.compactMap { $0.1 as? BatchNorm } }
}
