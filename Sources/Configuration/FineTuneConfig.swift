import Models

extension PipelineConfig {
    /// The fine-tuning keys of the `train` section (issue #13), each off by default; read after
    /// `fine_tune_epochs` and `freeze`, which they are checked against. They change the transfer model
    /// only (`target_scaling` also mtcnn); with neither in `models` they are allowed and have no effect.
    static func parseFineTuning(_ m: YAMLMapping, into s: inout ModelSettings) throws {
        s.targetScaling = try choice(m, "target_scaling", default: s.targetScaling)
        if m.optional("fine_tune_batch_size") != nil {
            s.fineTuneBatchSize = try m.int("fine_tune_batch_size", default: s.batchSize, in: 2...65536)
        }
        s.scorePretrained = try m.bool("score_pretrained", default: s.scorePretrained)
        s.l2SP = Float(try m.double("l2_sp", default: Double(s.l2SP), in: 0...10_000))
        s.headFirstEpochs = try m.int("head_first_epochs", default: s.headFirstEpochs, in: 0...100_000)
        if s.headFirstEpochs > 0, let v = m.optional("head_first_epochs") {
            if s.headFirstEpochs >= s.fineTuneEpochs {
                throw v.error("head_first_epochs (\(s.headFirstEpochs)) counts within fine_tune_epochs (\(s.fineTuneEpochs)) and must be smaller, so that blocks F+1..6 fine-tune afterwards")
            }
            if s.freeze == 6 {
                throw v.error("with freeze: 6 only the output layer fine-tunes anyway, so head_first_epochs changes nothing; lower freeze or remove head_first_epochs")
            }
        }
        s.fineTuneBatchNorm = try choice(m, "fine_tune_batchnorm", default: s.fineTuneBatchNorm)
    }
}
