package dev.jfutures.remote;

import java.io.Serializable;
import java.lang.invoke.SerializedLambda;

/**
 * The wire form of a serializable lambda in {@link JavaSerializationCodec}: the fields of its
 * {@link SerializedLambda}. Decoding turns it back into the lambda through the capturing class's
 * {@code $deserializeLambda$}, reached through a cached method handle instead of the JDK's
 * reflective lookup on every decode (which costs tens of microseconds per task).
 */
final class LambdaRef implements Serializable {
    private static final long serialVersionUID = 1L;

    final String capturingClass;
    final String functionalInterfaceClass;
    final String functionalInterfaceMethodName;
    final String functionalInterfaceMethodSignature;
    final String implClass;
    final String implMethodName;
    final String implMethodSignature;
    final int implMethodKind;
    final String instantiatedMethodType;
    final Object[] capturedArgs;

    LambdaRef(SerializedLambda s) {
        this.capturingClass = s.getCapturingClass();
        this.functionalInterfaceClass = s.getFunctionalInterfaceClass();
        this.functionalInterfaceMethodName = s.getFunctionalInterfaceMethodName();
        this.functionalInterfaceMethodSignature = s.getFunctionalInterfaceMethodSignature();
        this.implClass = s.getImplClass();
        this.implMethodName = s.getImplMethodName();
        this.implMethodSignature = s.getImplMethodSignature();
        this.implMethodKind = s.getImplMethodKind();
        this.instantiatedMethodType = s.getInstantiatedMethodType();
        this.capturedArgs = new Object[s.getCapturedArgCount()];
        for (int i = 0; i < capturedArgs.length; i++) {
            capturedArgs[i] = s.getCapturedArg(i);
        }
    }

    SerializedLambda toSerializedLambda(Class<?> capturing) {
        return new SerializedLambda(capturing, functionalInterfaceClass, functionalInterfaceMethodName,
                functionalInterfaceMethodSignature, implMethodKind, implClass, implMethodName,
                implMethodSignature, instantiatedMethodType, capturedArgs);
    }
}
