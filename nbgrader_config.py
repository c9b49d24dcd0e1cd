"""nbgrader configuration of the course; run nbgrader (or autograder) in this directory."""
import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "derivatives-gradients"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

c.ClearSolutions.code_stub = {
    "python": "# 在这里写你的代码（YOUR CODE HERE）\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "在这里写下你的回答（YOUR ANSWER HERE）"

# A notebook runs well under 30 s; give slow machines room.
c.ExecutePreprocessor.timeout = 120
