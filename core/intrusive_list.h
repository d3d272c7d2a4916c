// IntrusiveList<T>: a doubly linked list whose links live in the items
// themselves (T derives from IntrusiveList<T>::Node), so linking and
// unlinking allocate nothing. AlarmClock keeps its armed alarms in one and
// CancelSignal its listeners: both link and unlink an item per request.
//
// Thread safety: none; the list's owner guards it and its items' links.
#pragma once

namespace geoekm {

template <typename T>
class IntrusiveList {
 public:
  class Node {
   public:
    bool linked() const { return linked_; }

   protected:
    ~Node() = default;

   private:
    friend class IntrusiveList;
    T* earlier_ = nullptr;
    T* later_ = nullptr;
    bool linked_ = false;
  };

  T* first() const { return first_; }
  T* last() const { return last_; }
  static T* Earlier(const T& item) { return static_cast<const Node&>(item).earlier_; }

  // Links `item` right after `before` (nullptr: at the front).
  void InsertAfter(T* before, T* item) {
    Node& n = *item;
    n.earlier_ = before;
    n.later_ = before ? NodeOf(before).later_ : first_;
    (n.later_ ? NodeOf(n.later_).earlier_ : last_) = item;
    (before ? NodeOf(before).later_ : first_) = item;
    n.linked_ = true;
  }

  // `item` must be linked into this list.
  void Unlink(T* item) {
    Node& n = *item;
    (n.earlier_ ? NodeOf(n.earlier_).later_ : first_) = n.later_;
    (n.later_ ? NodeOf(n.later_).earlier_ : last_) = n.earlier_;
    n.earlier_ = n.later_ = nullptr;
    n.linked_ = false;
  }

 private:
  static Node& NodeOf(T* item) { return *item; }

  T* first_ = nullptr;
  T* last_ = nullptr;
};

}  // namespace geoekm
