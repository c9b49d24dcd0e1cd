"""The functions ps1's hidden tests differentiate (numpy for the student, torch for autograd)."""
from autograder.testkit.oracle import Smooth
from autograder.testkit.reference import remembered

ref = remembered(__package__.rpartition(".")[2])   # this suite's reference, solutions/<assignment>.py

SCALAR = [
    Smooth("lambda x: x**3 - 2*x", "f(x) = x³ − 2x"),
    Smooth("lambda x: {m}.sin(x) * {m}.exp(x)", "f(x) = sin(x)·eˣ"),
    Smooth("lambda x: {m}.log(1 + x**2)", "f(x) = ln(1 + x²)"),
    Smooth("lambda x: 1 / (1 + {m}.exp(-x))", "f(x) = 1 / (1 + e⁻ˣ)"),
]

VECTOR = [
    Smooth("lambda v: {m}.sum(v**2)", "f(v) = Σ vᵢ²"),
    Smooth("lambda v: {m}.log({m}.sum({m}.exp(v)))", "f(v) = ln Σ exp(vᵢ)"),
    Smooth("lambda v: {m}.sum({m}.sin(v) * v**2) + {m}.sum(v)**2", "f(v) = Σ sin(vᵢ)·vᵢ² + (Σ vᵢ)²"),
    Smooth("lambda v: {m}.exp(-{m}.sum(v**2)) * v[0]", "f(v) = exp(−‖v‖²)·v₀"),
]
