// Mapping module placeholder: replaced by the module's sources.
