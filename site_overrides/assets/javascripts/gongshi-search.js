// 公示台 search page: Pagefind UI (built into /pagefind/ by the build), query from ?q=.
(function () {
  "use strict";
  var box = document.getElementById("gs-search");
  if (!box || typeof PagefindUI === "undefined") {
    if (box) box.textContent = "搜索索引尚未生成。";
    return;
  }
  var ui = new PagefindUI({
    element: "#gs-search",
    showSubResults: false,
    showImages: false,
    resetStyles: false,
    translations: { placeholder: "输入企业名称中的字词或统一社会信用代码", zero_results: "未找到与 [SEARCH_TERM] 相关的已公示结果" }
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) ui.triggerSearch(q);
})();
