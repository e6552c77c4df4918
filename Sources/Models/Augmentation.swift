import NeuralNet
import Patches

/// One of the 8 symmetries of a square patch (the dihedral group of the square): an optional mirror
/// (columns reversed, west and east swapped), then `quarterTurns` quarter turns counter-clockwise.
/// Every one keeps the centre cell where it is, so the site stays at the patch's centre.
struct PatchTransform: Hashable, Sendable {
    /// Quarter turns counter-clockwise (0...3), applied after the mirror.
    var quarterTurns: Int
    /// Whether the columns are reversed first.
    var mirrored: Bool

    /// The 8 transforms; index 0 is the identity.
    static let all: [PatchTransform] = [false, true].flatMap { m in
        (0..<4).map { PatchTransform(quarterTurns: $0, mirrored: m) }
    }

    /// The identity.
    static let identity = PatchTransform(quarterTurns: 0, mirrored: false)

    /// For every cell of a transformed P × P plane (row-major), the cell of the original plane it takes.
    func sourceIndices(patchSize p: Int) -> [Int] {
        (0..<(p * p)).map { cell in
            var (i, j) = (cell / p, cell % p)
            // out = R^k(M(x)): one quarter turn takes out[i][j] from y[j][p-1-i];
            // the mirror takes y[i][j] from x[i][p-1-j].
            for _ in 0..<quarterTurns { (i, j) = (j, p - 1 - i) }
            if mirrored { j = p - 1 - j }
            return i * p + j
        }
    }
}

/// Random rotations by multiples of 90 degrees and flips of training patches (`train.augment`), with
/// the channels of excluded covariates (`train.augment_exclude`) left as they are.
///
/// Why excluded channels are not turned: a direction-dependent covariate (aspect, northness, eastness)
/// holds directions relative to north in its values. Turning or mirroring a patch does not turn north,
/// so its values would have to be recomputed, which SOCMap cannot do for an arbitrary covariate; its
/// channels therefore keep their true orientation and values (the site's aspect stays its aspect) while the
/// other channels turn, and the terrain's shape is learnt without an orientation while its direction is
/// learnt from the excluded channels. Their layout then no longer lines up with the turned channels around
/// the centre cell (the centre cell itself always agrees).
struct PatchAugmentation: Sendable, Equatable {
    /// Covariates whose channels are left as they are.
    var excluded: [String]

    /// The augmentation of `settings`, nil when `augment` is off.
    init?(_ settings: ModelSettings) {
        guard settings.augment else { return nil }
        excluded = settings.augmentExclude
    }

    /// An augmentation leaving the channels of `excluded` covariates as they are.
    init(excluding excluded: [String]) {
        self.excluded = excluded
    }

    /// Whether each channel is transformed (not from an excluded covariate; one-hot channels by their covariate).
    func transformedChannels(_ channels: [PatchChannel]) -> [Bool] {
        channels.map { !excluded.contains($0.covariate) }
    }

    /// The names in `excluded` that are no covariate of `channels`, with the covariates there are.
    static func unknown(_ excluded: [String], channels: [PatchChannel]) -> (unknown: [String], covariates: [String])? {
        var covariates: [String] = []
        for c in channels where !covariates.contains(c.covariate) { covariates.append(c.covariate) }
        let unknown = excluded.filter { !covariates.contains($0) }
        return unknown.isEmpty ? nil : (unknown, covariates)
    }

    /// Checks that every excluded name is a covariate of the patches.
    static func validate(_ settings: ModelSettings, channels: [PatchChannel]) throws {
        guard settings.augment, let bad = unknown(settings.augmentExclude, channels: channels) else { return }
        throw AugmentationError(unknown: bad.unknown, covariates: bad.covariates)
    }

    /// Transforms each patch of `patches` [N, C, P, P] in place with its transform; `transformed`
    /// says which channels turn.
    static func apply(_ transforms: [PatchTransform], to patches: inout Tensor, transformed: [Bool]) {
        let (n, c, p) = (patches.shape[0], patches.shape[1], patches.shape[2])
        precondition(
            transforms.count == n && transformed.count == c && patches.shape[3] == p,
            """
            PatchAugmentation.apply: \(transforms.count) transforms and \(transformed.count) \
            channel flags for patches \(patches.shape)
            """
        )
        let plane = p * p
        var tables: [PatchTransform: [Int]] = [:]
        var scratch = [Float](repeating: 0, count: plane)
        for (i, t) in transforms.enumerated() where t != .identity {
            let source: [Int]
            if let s = tables[t] {
                source = s
            } else {
                source = t.sourceIndices(patchSize: p)
                tables[t] = source
            }
            patches.data.withUnsafeMutableBufferPointer { x in
                scratch.withUnsafeMutableBufferPointer { tmp in
                    for ch in 0..<c where transformed[ch] {
                        let base = (i * c + ch) * plane
                        for k in 0..<plane { tmp[k] = x[base + k] }
                        for k in 0..<plane { x[base + k] = tmp[source[k]] }
                    }
                }
            }
        }
    }
}

/// `train.augment_exclude` names that are no covariate of the patches.
public struct AugmentationError: Error, CustomStringConvertible, Sendable {
    /// The names that are no covariate.
    public let unknown: [String]
    /// The covariates of the patches.
    public let covariates: [String]
    public var description: String {
        "unknown covariate\(unknown.count == 1 ? "" : "s") \(unknown.map { "'\($0)'" }.joined(separator: ", ")); "
            + "the stack's covariates are \(covariates.joined(separator: ", "))"
    }
}

extension Batch {
    /// Patches [N, C, P, P] of the examples' sites, each turned and mirrored by a transform drawn from `generator`
    /// (one draw per example) when `augmentation` is given; exactly `patches(_:from:)` without one (no draw).
    static func patches(
        _ examples: ArraySlice<Example>, from data: PatchDataset, augmentation: (PatchAugmentation, [Bool])?,
        generator: inout SeededGenerator
    ) -> Tensor {
        var x = patches(examples, from: data)
        guard let (_, transformed) = augmentation else { return x }
        let transforms = examples.map { _ in
            PatchTransform.all[Int.random(in: 0..<PatchTransform.all.count, using: &generator)]
        }
        PatchAugmentation.apply(transforms, to: &x, transformed: transformed)
        return x
    }
}

extension ModelSettings {
    /// Checks that every `augmentExclude` name is a covariate of `channels` (when `augment` is on).
    public func validateAugmentation(channels: [PatchChannel]) throws {
        try PatchAugmentation.validate(self, channels: channels)
    }
}
