"""An optimiser step followed along a trajectory (ps6's momentum_step and adam_step): the student's
process drives the steps and sends each result without waiting (one request, not one a step),
while the trusted side still gives each step its own budget, records it with its own arguments
for the diagnosis, and says at which step a mistake, an exception or a hang happened.

Run in real forks of a kernel holding the answer (nbgrader_bridge.KernelRun, the same Test
server the sandbox runs), against torch.optim's trajectory.
"""
from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.nbgrader_bridge import KernelRun
from autograder.suites.ps6_recommender.common import LOG_COSH, VALLEY, torch_momentum
from autograder.suites.ps6_recommender.optimisers import follow
from autograder.testkit.budget import Budgets
from autograder.testkit.checks import Mistake
from autograder.testkit.reference import remembered
from autograder.testkit.student import StudentProblem

HINTS = {"x": "x hint", "velocity": "velocity hint"}
STEPS = 60
X0 = [1.5, -0.8, 3.0]
RATE, BETA = 0.02, 0.9

CORRECT = '''
def momentum_step(x, velocity, grad, learning_rate, beta=0.9):
    velocity_new = beta * velocity + grad
    return x - learning_rate * velocity_new, velocity_new
'''
AS_LISTS = '''
def momentum_step(x, velocity, grad, learning_rate, beta=0.9):
    velocity_new = beta * velocity + grad
    return list(x - learning_rate * velocity_new), list(velocity_new)
'''
IN_PLACE = '''
def momentum_step(x, velocity, grad, learning_rate, beta=0.9):
    velocity *= beta
    velocity += grad
    x -= learning_rate * velocity
    return x, velocity
'''
COUNTING = '''
calls = [0]
def momentum_step(x, velocity, grad, learning_rate, beta=0.9):
    calls[0] += 1
    if calls[0] == LAST_GOOD + 1:
        BEHAVIOUR
    velocity_new = beta * velocity + grad
    return x - learning_rate * velocity_new, velocity_new
'''


def counting(last_good: int, behaviour: str) -> str:
    return COUNTING.replace("LAST_GOOD", str(last_good)).replace("BEHAVIOUR", behaviour)


class Counted:
    """The requests a Student sends its process (None: it only reads the next reply)."""

    def __init__(self, student):
        self.sent = 0
        request = student._request

        def counted(message, timeout):
            self.sent += message is not None
            return request(message, timeout)
        student._request = counted


def run(source: str, problem=VALLEY, x0=X0, steps=STEPS):
    """Follow `source`'s momentum_step for `steps` from x0; (Student, Counted, the exception or None)."""
    namespace = {"np": np, "__name__": "answer"}
    exec(compile("import numpy as np\n" + source, "<answer>", "exec"), namespace)
    run = KernelRun(namespace, Budgets(remembered("ps6_recommender")))
    expected = torch_momentum(problem, x0, RATE, BETA, steps)
    with run.student() as student:
        counted = Counted(student)
        try:
            follow(student, "momentum_step", problem, x0, expected, ("velocity",), ("x", "velocity", "grad", RATE),
                   {"beta": BETA}, "the trajectory", HINTS)
        except (Mistake, StudentProblem) as problem_found:
            return student, counted, problem_found
        return student, counted, None


def reference_arguments(problem, x0, steps: int) -> list[tuple]:
    """(x, velocity, grad) that a correct answer is called with at steps 1..steps."""
    gradient = problem.gradient.local()
    x, velocity, out = np.array(x0, dtype=float), np.zeros(len(x0)), []
    for _ in range(steps):
        grad = gradient(x)
        out.append((x, velocity, grad))
        velocity = BETA * velocity + grad
        x = x - RATE * velocity
    return out


def test_a_correct_step_is_followed_with_one_request_and_every_step_recorded():
    student, counted, problem = run(CORRECT)
    assert problem is None
    assert counted.sent == 1
    assert len(student.calls) == STEPS
    for call, (x, velocity, grad) in zip(student.calls, reference_arguments(VALLEY, X0, STEPS)):
        assert call.name == "momentum_step"
        np.testing.assert_array_equal(call.args[0], x)
        np.testing.assert_array_equal(call.args[1], velocity)
        np.testing.assert_array_equal(call.args[2], grad)
        assert call.args[3] == RATE and call.kwargs == {"beta": BETA}


def test_an_answer_that_updates_its_inputs_in_place_is_followed_in_one_request():
    # Each step gets fresh arrays, as when the trusted side sent them: in-place updates are
    # the student's own business here (test_inputs_unchanged judges them).
    student, counted, problem = run(IN_PLACE, problem=LOG_COSH, x0=[[2.0, 1.0, -1.0], [0.0, -2.0, 1.0]])
    assert problem is None and counted.sent == 1 and len(student.calls) == STEPS


def test_results_it_cannot_feed_back_as_arrays_go_on_call_by_call():
    student, counted, problem = run(AS_LISTS)
    assert problem is None
    assert counted.sent == STEPS          # the driven first step, then one call a step
    assert len(student.calls) == STEPS


def test_a_mistake_is_reported_at_its_own_step():
    _, _, problem = run(counting(40, "learning_rate = 2 * learning_rate"))
    assert isinstance(problem, Mistake)
    assert "前 40 步都对，第 41 步" in str(problem)


def test_an_exception_names_the_step_it_was_raised_at_with_that_steps_arguments():
    student, _, problem = run(counting(9, "raise ValueError('at ten')"))
    assert isinstance(problem, StudentProblem) and problem.kind == "raised"
    assert "at ten" in str(problem.detail.get("message"))
    x, velocity, _ = reference_arguments(VALLEY, X0, 10)[9]
    assert len(student.calls) == 10
    np.testing.assert_array_equal(student.calls[9].args[0], x)
    np.testing.assert_array_equal(student.calls[9].args[1], velocity)


@pytest.mark.parametrize("behaviour", ["while True: pass", "import os; os._exit(3)"])
def test_a_step_that_hangs_or_ends_the_process_stops_there(behaviour):
    student, _, problem = run(counting(29, behaviour))
    assert isinstance(problem, StudentProblem)
    assert problem.kind == ("timeout" if "while" in behaviour else "died")
    assert len(student.calls) == 29       # steps 1-29 came back and were checked; the 30th did not
