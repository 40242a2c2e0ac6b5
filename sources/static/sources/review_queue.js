// Keyboard bulk actions for the review queue (sources.review_admin.ReportEventLinkAdmin):
// j / k move between rows, x ticks the row, a approves and r rejects the ticked rows (or the
// row in focus when none is ticked), e opens the reassign page for them. Keys typed into a
// field (search, the action menu) are left alone.
"use strict";
(function () {
    const ACTIONS = {a: "approve", r: "reject", e: "reassign"};

    function rows() {
        return Array.from(document.querySelectorAll("#result_list tbody tr"));
    }

    function checkbox(row) {
        return row.querySelector("input.action-select");
    }

    function focusRow(index) {
        const all = rows();
        if (!all.length) return;
        index = Math.max(0, Math.min(all.length - 1, index));
        all.forEach((row) => row.classList.remove("review-focus"));
        all[index].classList.add("review-focus");
        all[index].scrollIntoView({block: "nearest"});
        checkbox(all[index]).focus({preventScroll: true});
    }

    function focusedIndex() {
        return rows().findIndex((row) => row.classList.contains("review-focus"));
    }

    function run(action) {
        const form = document.getElementById("changelist-form");
        const select = form && form.querySelector("select[name=action]");
        if (!select || !select.querySelector(`option[value="${action}"]`)) return;
        const all = rows();
        if (!all.some((row) => checkbox(row).checked)) {
            const index = focusedIndex();
            if (index < 0) return;
            checkbox(all[index]).click();
        }
        select.value = action;
        form.querySelector("button[name=index]").click();
    }

    document.addEventListener("keydown", function (event) {
        const target = event.target;
        if (event.altKey || event.ctrlKey || event.metaKey) return;
        if (target.matches("input[type=text], input[type=search], select, textarea, [contenteditable]")) return;
        const index = focusedIndex();
        if (event.key === "j") focusRow(index + 1);
        else if (event.key === "k") focusRow(index < 0 ? 0 : index - 1);
        else if (event.key === "x" && index >= 0) checkbox(rows()[index]).click();
        else if (ACTIONS[event.key]) run(ACTIONS[event.key]);
        else return;
        event.preventDefault();
    });
})();
