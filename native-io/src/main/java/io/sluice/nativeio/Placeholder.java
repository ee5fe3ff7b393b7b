package io.sluice.nativeio; public final class Placeholder { private Placeholder() {} }
