/// Errors of the engine: each names the tensor, file or key concerned and what to do.
public enum NeuralNetError: Error, CustomStringConvertible, Equatable {
    /// A tensor name that the model does not have.
    case unknownTensor(name: String, context: String)
    /// A tensor whose shape differs from the model's.
    case shapeMismatch(name: String, expected: [Int], found: [Int], context: String)
    /// A tensor the model needs that the file does not hold.
    case missingTensor(name: String, path: String)
    /// A file that is not valid safetensors, or not one of our models.
    case badFile(path: String, reason: String)
    /// An architecture that cannot be built.
    case badArchitecture(reason: String)
    /// A file-system failure while reading or writing.
    case io(path: String, reason: String)

    /// A message naming what is wrong and what to do.
    public var description: String {
        switch self {
        case .unknownTensor(let name, let context):
            return "unknown tensor '\(name)' (\(context)): the file was written for another architecture"
        case .shapeMismatch(let name, let expected, let found, let context):
            return "tensor '\(name)' has shape \(found), the model needs \(expected) (\(context)): "
                + "check that the architecture (channels, patch size, widths) matches the file"
        case .missingTensor(let name, let path):
            return "\(path): tensor '\(name)' is missing: the file is incomplete or for another architecture"
        case .badFile(let path, let reason):
            return "\(path): \(reason)"
        case .badArchitecture(let reason):
            return "invalid network architecture: \(reason)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
