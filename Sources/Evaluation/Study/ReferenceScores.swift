import Foundation

/// Scores another implementation reached on the same data and protocol, read from a JSON file
/// `{"models": {"<model>": {"<depth>": {"RMSE": ..., "R2": ..., "n": ...}, ..., "all": {...}}}}`
/// (the form of ../shared/anchors/edgeroi-reference.json); a study prints its variants of the same
/// names beside them.
public struct ReferenceScores: Sendable, Equatable {
    /// One model's score at one depth.
    public struct Score: Sendable, Codable, Equatable {
        /// Samples scored.
        public var n: Int?
        /// Root mean squared error.
        public var rmse: Double
        /// Coefficient of determination.
        public var r2: Double?

        enum CodingKeys: String, CodingKey {
            case n
            case rmse = "RMSE"
            case r2 = "R2"
        }
    }

    /// What the reference is, for the report (e.g. its file name).
    public var label: String
    /// Scores by model, then by depth key as in the file ("0-5", "all").
    public var models: [String: [String: Score]]

    /// Reads the file at `path`; an error names the file and what is wrong.
    public init(path: String, label: String) throws {
        struct File: Decodable { var models: [String: [String: Score]] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvaluationError(
                .invalidInput, path: path, message: "cannot read the reference scores \(path); check the path")
        }
        do {
            models = try JSONDecoder().decode(File.self, from: data).models
        } catch {
            throw EvaluationError(
                .invalidInput, path: path,
                message: """
                    \(path) is not a reference scores file ({"models": {model: {depth: \
                    {"RMSE": x, "R2": y}}}}): \(error)
                    """
            )
        }
        self.label = label
    }

    /// The score of `model` at a table depth key ("0-5cm" matches "0-5"; "all" matches "all").
    public func score(_ model: String, depth: String) -> Score? {
        guard let byDepth = models[model] else { return nil }
        if let s = byDepth[depth] { return s }
        var core = depth
        if core.hasSuffix("cm") { core = String(core.dropLast(2)).trimmingCharacters(in: .whitespaces) }
        return byDepth[core]
    }
}
