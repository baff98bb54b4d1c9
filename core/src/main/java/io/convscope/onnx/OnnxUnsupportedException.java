package io.convscope.onnx;

import io.convscope.ConvscopeException;

/**
 * An ONNX file uses something convscope does not implement (an operator, an attribute value, a
 * data type, an operation on the batch axis). The message names the node, its operator and opset.
 */
public class OnnxUnsupportedException extends ConvscopeException {
    public OnnxUnsupportedException(String message) {
        super(message);
    }
}
