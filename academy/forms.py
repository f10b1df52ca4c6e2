"""The academy's forms: each checks what a request sends before a view calls a service, so
bad input is a 422 with its message, never a 500."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import CustomerRole, User
from onboarding.models import ChecklistPhase

from .models import MAX_FILE_BYTES, Course, Lesson
from .services import QuizQuestion, check_quiz

FILE_TYPES = {
    "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain",
    "text/csv", "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}  # fmt: skip


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "summary", "pass_mark"]
        labels = {
            "title": gettext_lazy("Title"),
            "summary": gettext_lazy("Summary"),
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class LessonForm(forms.ModelForm):
    video_url = forms.URLField(
        label=gettext_lazy("Video link"),
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=gettext_lazy("A video to watch with the lesson (https)."),
    )

    class Meta:
        model = Lesson
        fields = ["title", "body", "video_url"]
        labels = {
            "title": gettext_lazy("Title"),
            "body": gettext_lazy("Body"),
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def clean_video_url(self) -> str:
        url = str(self.cleaned_data.get("video_url") or "")
        if url and not url.startswith("https://"):
            raise ValidationError(_("Give the video's https:// address."))
        return url


class LessonFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("Images, PDFs, office documents, up to 25 MiB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.size:
            raise ValidationError(_("This file is empty."))
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("This file is larger than 25 MiB."))
        if upload.content_type not in FILE_TYPES:
            raise ValidationError(_("Attach an image, a PDF, a text or an office document."))
        return upload


QUIZ_HELP = gettext_lazy(
    "One question per paragraph: the question on its first line, then one choice a line. "
    "Put * in front of each correct choice. Leave empty for no quiz."
)


def parse_quiz(text: str) -> list[QuizQuestion]:
    questions = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        choices = []
        for line in lines[1:]:
            line = line.lstrip("-").strip()
            correct = line.startswith("*")
            choices.append((line.lstrip("*").strip()[:300], correct))
        questions.append(QuizQuestion(text=lines[0][:500], choices=choices))
    return questions


def quiz_text(course: Course) -> str:
    blocks = []
    for question in course.questions.prefetch_related("choices"):
        lines = [question.text]
        lines += [f"{'* ' if c.correct else ''}{c.text}" for c in question.choices.all()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


class QuizForm(forms.Form):
    quiz = forms.CharField(
        label=gettext_lazy("Quiz"),
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        max_length=20_000,
        help_text=QUIZ_HELP,
    )

    def clean_quiz(self) -> list[QuizQuestion]:
        questions = parse_quiz(self.cleaned_data.get("quiz") or "")
        check_quiz(questions)  # no correct answer: refused with the question named
        return questions


class TakeQuizForm(forms.Form):
    """The person's answers: one field per question, checkboxes where several are right."""

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(course.questions.prefetch_related("choices"))
        for number, question in enumerate(self.questions, 1):
            choices = [(str(c.pk), c.text) for c in question.choices.all()]
            several = sum(1 for c in question.choices.all() if c.correct) > 1
            label = f"{number}. {question.text}"
            self.fields[f"q{question.pk}"] = (
                forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Choose every right answer."),
                    error_messages={"required": _("Choose at least one answer.")},
                )
                if several
                else forms.ChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Choose an answer.")},
                )
            )

    def answers(self) -> dict[int, set[int]]:
        found = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            values = value if isinstance(value, list) else [value] if value else []
            found[question.pk] = {int(v) for v in values}
        return found


# An assignment to every person with a role, as the form offers it.
EVERY_ROLE_CHOICE = {
    "champion": gettext_lazy("Every champion"),
    "executive": gettext_lazy("Every executive"),
    "member": gettext_lazy("Every member"),
}


class AssignForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(),
        label=gettext_lazy("Course"),
        empty_label=gettext_lazy("Choose a course"),
    )
    role = forms.ChoiceField(
        choices=[
            ("", "—"),
            *(
                (value, EVERY_ROLE_CHOICE.get(value, label))
                for value, label in CustomerRole.choices
            ),
        ],
        required=False,
        label=gettext_lazy("To everyone with a role"),
    )
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=gettext_lazy("Or to one person"),
        empty_label="—",
    )

    def __init__(
        self, *args: Any, courses: QuerySet[Course], people: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["course"]).queryset = courses
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = people

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("role")) == bool(data.get("user")):
            raise ValidationError(_("Choose a role or one person."))
        return data


class ChecklistCourseForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(),
        label=gettext_lazy("Course"),
        empty_label=gettext_lazy("Choose a course"),
    )
    phase = forms.ModelChoiceField(
        queryset=ChecklistPhase.objects.none(),
        label=gettext_lazy("Phase"),
        empty_label=gettext_lazy("Choose a phase"),
    )
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=gettext_lazy("Assignee"),
        empty_label=gettext_lazy("Anyone at the account"),
    )

    def __init__(
        self,
        *args: Any,
        courses: QuerySet[Course],
        phases: QuerySet[ChecklistPhase],
        people: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["course"]).queryset = courses
        cast(forms.ModelChoiceField, self.fields["phase"]).queryset = phases
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = people
